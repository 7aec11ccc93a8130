//! The built-in catalog: the types and properties checks rely on, suggestions, and declared types.

use loupe_catalog::Catalog;

fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

#[test]
fn knows_the_types_checks_select() {
    for ty in [
        "AWS::S3::Bucket",
        "AWS::Bedrock::Guardrail",
        "AWS::Bedrock::Agent",
        "AWS::Lambda::Function",
        "AWS::Serverless::Function",
        "AWS::CloudFormation::CustomResource",
        "aws_bedrockagent_agent",
        "aws_s3_bucket",
        "aws_bedrock_guardrail",
        "aws_vpc_endpoint",
        "aws_iam_role",
        "data.aws_iam_policy_document",
        "data.aws_s3_bucket",
    ] {
        assert!(catalog().knows_type(ty), "{ty}");
        assert!(catalog().is_known(ty), "{ty}");
    }
    for ty in ["AWS::Lambda::Funtion", "aws_s3_bukcet", "aws::s3::bucket", "data.aws_iam_policy_documnet", "S3::Bucket"]
    {
        assert!(!catalog().knows_type(ty), "{ty}");
    }
    // Data sources are named as the evidence loader types them, not as resources.
    assert!(!catalog().knows_type("aws_iam_policy_document"));
    assert!(!catalog().knows_type("data.aws_iam_role_policy_attachment"));
}

#[test]
fn counts_are_those_of_whole_providers() {
    let cloudformation = catalog().types().filter(|ty| ty.contains("::")).count();
    let resources = catalog().types().filter(|ty| ty.starts_with("aws_")).count();
    let data_sources = catalog().types().filter(|ty| ty.starts_with("data.aws_")).count();
    assert!(cloudformation > 1_000, "{cloudformation} CloudFormation types");
    assert!(resources > 1_000, "{resources} Terraform resources");
    assert!(data_sources > 400, "{data_sources} Terraform data sources");
    assert_eq!(catalog().len(), cloudformation + resources + data_sources);
}

#[test]
fn every_data_line_is_read() {
    for (file, text) in [
        ("cloudformation", include_str!("../data/cloudformation.txt")),
        ("terraform-aws", include_str!("../data/terraform-aws.txt")),
    ] {
        let mut previous = "";
        for line in text.lines().filter(|line| !line.starts_with('#')) {
            let (ty, properties) = line.split_once('\t').unwrap_or_else(|| panic!("{file}: no tab in {line:?}"));
            assert!(previous < ty, "{file}: {ty} after {previous}");
            previous = ty;
            assert!(catalog().knows_type(ty), "{file}: {ty}");
            let listed: Vec<&str> = catalog().properties(ty).map(Iterator::collect).unwrap_or_default();
            if ty != "AWS::CloudFormation::CustomResource" {
                let expected: Vec<&str> = properties.split(',').filter(|p| !p.is_empty()).collect();
                assert_eq!(listed, expected, "{file}: {ty}");
                assert!(listed.windows(2).all(|w| w[0] < w[1]), "{file}: {ty} properties not sorted");
            }
        }
    }
}

#[test]
fn properties_are_the_settable_ones() {
    assert_eq!(catalog().has_property("AWS::S3::Bucket", "BucketEncryption"), Some(true));
    assert_eq!(catalog().has_property("AWS::S3::Bucket", "BucketEncrypton"), Some(false));
    // Case-sensitive.
    assert_eq!(catalog().has_property("AWS::S3::Bucket", "bucketEncryption"), Some(false));
    // Read-only properties are attributes, never in a template.
    assert_eq!(catalog().has_property("AWS::S3::Bucket", "Arn"), Some(false));
    assert_eq!(catalog().has_property("AWS::Lambda::Function", "VpcConfig"), Some(true));
    assert_eq!(catalog().has_property("AWS::Bedrock::Guardrail", "ContentPolicyConfig"), Some(true));
    // Terraform: arguments, computed attributes and nested blocks, all top-level keys of a plan's values.
    for prop in ["assume_role_policy", "inline_policy", "arn", "name", "tags"] {
        assert_eq!(catalog().has_property("aws_iam_role", prop), Some(true), "{prop}");
    }
    assert_eq!(catalog().has_property("aws_iam_role", "assumeRolePolicy"), Some(false));
    assert_eq!(catalog().has_property("aws_s3_bucket", "server_side_encryption_configuration"), Some(true));
    assert_eq!(catalog().has_property("aws_vpc_endpoint", "vpc_endpoint_type"), Some(true));
    assert_eq!(catalog().has_property("data.aws_iam_policy_document", "statement"), Some(true));
    // Unknown types, and custom resources, cannot be judged.
    assert_eq!(catalog().has_property("AWS::S3::Buckett", "BucketEncryption"), None);
    assert_eq!(catalog().has_property("Custom::Thing", "Anything"), None);
    assert_eq!(catalog().has_property("AWS::CloudFormation::CustomResource", "Anything"), None);
    assert!(catalog().properties("AWS::CloudFormation::CustomResource").is_none());
    assert!(catalog().properties("AWS::S3::Bucket").is_some_and(|mut p| p.any(|p| p == "VersioningConfiguration")));
    // A type without settable properties has an empty list.
    assert_eq!(catalog().properties("AWS::CloudFormation::WaitConditionHandle").map(Iterator::count), Some(0));
    assert_eq!(catalog().has_property("AWS::CloudFormation::WaitConditionHandle", "Id"), Some(false));
}

#[test]
fn suggests_near_properties() {
    let suggest = |ty, prop| catalog().suggest_property(ty, prop);
    assert_eq!(suggest("AWS::S3::Bucket", "BucketEncrypton"), Some("BucketEncryption"));
    assert_eq!(suggest("AWS::S3::Bucket", "bucketencryption"), Some("BucketEncryption"));
    assert_eq!(suggest("AWS::S3::Bucket", "BucketEncryption"), None);
    assert_eq!(suggest("AWS::S3::Bucket", "Zebra"), None);
    assert_eq!(suggest("aws_iam_role", "asume_role_policy"), Some("assume_role_policy"));
    assert_eq!(suggest("AWS::S3::Buckett", "BucketEncrypton"), None);
}

#[test]
fn suggests_near_types_of_the_same_shape() {
    let suggest = |ty| catalog().suggest_type(ty);
    assert_eq!(suggest("AWS::Lambda::Funtion"), Some("AWS::Lambda::Function"));
    assert_eq!(suggest("aws::lambda::function"), Some("AWS::Lambda::Function"));
    assert_eq!(suggest("AWS::Bedrock::Gaurdrail"), Some("AWS::Bedrock::Guardrail"));
    assert_eq!(suggest("aws_s3_bukcet"), Some("aws_s3_bucket"));
    assert_eq!(suggest("aws_lamda_function"), Some("aws_lambda_function"));
    assert_eq!(suggest("data.aws_iam_policy_documnet"), Some("data.aws_iam_policy_document"));
    assert_eq!(suggest("AWS::S3::Bucket"), None);
    assert_eq!(suggest("AWS::Nothing::LikeThis"), None);
    assert_eq!(suggest("Xyzzy::Plugh"), None);
    assert_eq!(suggest("kubernetes_deployment_v9"), None);
}

#[test]
fn judges_only_the_types_it_covers() {
    for ty in [
        "AWS::Lambda::Funtion",
        "aws::s3::bucket",
        "aws_s3_bukcet",
        "AWS_S3_BUCKET",
        "data.aws_nothing",
        "Alexa::ASK::Skil",
    ] {
        assert!(catalog().covers(ty), "{ty}");
        assert!(!catalog().is_known(ty), "{ty}");
    }
    for ty in [
        "Custom::MyThing",
        "MyOrg::Service::Thing",
        "MyOrg::Service::Thing::MODULE",
        "google_storage_bucket",
        "data.google_project",
        "awscc_sagemaker_cluster",
        "Deployment",
        "apps/v1/Deployment",
        "",
    ] {
        assert!(!catalog().covers(ty), "{ty}");
        assert!(catalog().is_known(ty), "{ty}");
    }
    assert!(Catalog::is_custom("Custom::MyThing"));
    assert!(Catalog::is_custom("AWS::CloudFormation::CustomResource"));
    assert!(!Catalog::is_custom("AWS::S3::Bucket"));
}

#[test]
fn wildcards_match_prefixes() {
    assert!(catalog().knows_prefix("AWS::Bedrock::"));
    assert!(catalog().knows_prefix("AWS::Bedrock::*"));
    assert!(catalog().knows_prefix("aws_bedrockagent_"));
    assert!(catalog().knows_prefix("data.aws_"));
    assert!(catalog().knows_prefix("AWS::S3::Bucket"));
    assert!(!catalog().knows_prefix("AWS::Bedrok::"));
    assert!(!catalog().knows_prefix("aws_zzz"));
    assert!(catalog().is_known("AWS::Bedrock::*"));
    assert!(catalog().is_known("aws_bedrock*"));
    assert!(!catalog().is_known("AWS::Bedrok::*"));
    assert!(catalog().is_known("google_*"));
}

#[test]
fn declared_types_are_known_and_take_precedence() {
    let extended = catalog().with_extra([
        ("Custom::MyThing", Some(vec!["Size", "Name", "Size"])),
        ("google_storage_bucket", None),
        ("aws_sagemaker_cluster", Some(vec!["cluster_name"])),
        ("AWS::S3::Bucket", Some(vec!["OnlyThis"])),
    ]);
    assert_eq!(extended.len(), catalog().len() + 3);
    assert!(extended.knows_type("Custom::MyThing"));
    assert!(extended.is_known("aws_sagemaker_cluster"));
    assert!(!catalog().is_known("aws_sagemaker_cluster"));
    assert_eq!(extended.properties("Custom::MyThing").map(Iterator::collect::<Vec<_>>), Some(vec!["Name", "Size"]));
    assert_eq!(extended.has_property("Custom::MyThing", "Size"), Some(true));
    assert_eq!(extended.has_property("Custom::MyThing", "Sise"), Some(false));
    assert_eq!(extended.suggest_property("Custom::MyThing", "Sise"), Some("Size"));
    assert_eq!(extended.has_property("google_storage_bucket", "anything"), None);
    assert_eq!(extended.has_property("AWS::S3::Bucket", "BucketEncryption"), Some(false));
    assert_eq!(extended.has_property("AWS::S3::Bucket", "OnlyThis"), Some(true));
    assert_eq!(extended.suggest_type("aws_sagemaker_clustr"), Some("aws_sagemaker_cluster"));
    assert_eq!(extended.suggest_type("Custom::MyThng"), Some("Custom::MyThing"));
    assert!(extended.knows_type("aws_s3_bucket"));
    assert_eq!(extended.sources(), catalog().sources());
    // The last declaration of a name wins.
    let twice =
        catalog().with_extra([("Custom::A".to_owned(), None), ("Custom::A".to_owned(), Some(vec!["B".to_owned()]))]);
    assert_eq!(twice.has_property("Custom::A", "B"), Some(true));
}

#[test]
fn sources_name_the_packages_and_versions() {
    let sources = catalog().sources();
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert!(sources[0].starts_with("cfn-lint 1."), "{sources:?}");
    assert!(sources[1].starts_with("hashicorp/aws provider 6."), "{sources:?}");
    assert!(sources[1].contains("@cdktn/provider-aws"), "{sources:?}");
}
