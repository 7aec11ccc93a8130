//! Generators of large, realistic evidence: a CloudFormation template and a Terraform plan with
//! the same resources (IAM roles with policies, S3 buckets, Lambda functions, Bedrock guardrails,
//! agents and knowledge bases, VPC endpoints, CloudWatch alarms, Step Functions state machines,
//! SageMaker endpoints), and a YAML rendering. Shared by the benchmark and the `load_file` example.

#![allow(dead_code)]

use serde_json::{Value, json};

/// The resource types generated, in rotation.
pub const KINDS: usize = 12;

/// One resource: its CloudFormation type and properties, and its Terraform type and values.
fn resource(i: usize) -> (&'static str, Value, &'static str, Value) {
    let env = ["dev", "staging", "prod"][i % 3];
    let team = ["ml-platform", "search", "support-bot", "fraud"][i % 4];
    let tags = json!([{ "Key": "env", "Value": env }, { "Key": "team", "Value": team }]);
    let tf_tags = json!({ "env": env, "team": team });
    match i % KINDS {
        0 => (
            "AWS::IAM::Role",
            json!({
                "RoleName": format!("app-role-{i}"),
                "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [
                    { "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }
                ]},
                "Policies": [{ "PolicyName": "invoke", "PolicyDocument": { "Version": "2012-10-17", "Statement": [
                    { "Effect": "Allow", "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                      "Resource": format!("arn:aws:bedrock:eu-west-1::foundation-model/model-{}", i % 7) },
                    { "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": { "Fn::Sub": format!("arn:aws:s3:::bucket-{i}/*") } }
                ]}}],
            }),
            "aws_iam_role",
            json!({
                "name": format!("app-role-{i}"),
                "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}",
                "inline_policy": [{ "name": "invoke", "policy": format!("{{\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"bedrock:InvokeModel\",\"Resource\":\"model-{}\"}}]}}", i % 7) }],
                "max_session_duration": 3600,
                "tags": tf_tags,
            }),
        ),
        1 => (
            "AWS::S3::Bucket",
            json!({
                "BucketName": format!("data-{team}-{i}"),
                "BucketEncryption": { "ServerSideEncryptionConfiguration": [
                    { "ServerSideEncryptionByDefault": { "SSEAlgorithm": if i % 20 == 1 { "AES256" } else { "aws:kms" } } }
                ]},
                "VersioningConfiguration": { "Status": "Enabled" },
                "PublicAccessBlockConfiguration": { "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true },
            }),
            "aws_s3_bucket",
            json!({ "bucket": format!("data-{team}-{i}"), "force_destroy": false, "object_lock_enabled": false, "tags": tf_tags }),
        ),
        2 => (
            "AWS::Lambda::Function",
            json!({
                "FunctionName": format!("handler-{i}"),
                "Runtime": "python3.12",
                "Handler": "app.handler",
                "Role": { "Fn::GetAtt": [format!("Resource{}", i - 2), "Arn"] },
                "Timeout": 30 + i % 60,
                "MemorySize": 1024,
                "TracingConfig": { "Mode": "Active" },
                "Environment": { "Variables": { "MODEL_ID": "anthropic.claude-3-haiku", "LOG_LEVEL": "INFO" } },
            }),
            "aws_lambda_function",
            json!({ "function_name": format!("handler-{i}"), "runtime": "python3.12", "handler": "app.handler", "timeout": 30 + i % 60,
                    "memory_size": 1024, "tracing_config": [{ "mode": "Active" }],
                    "environment": [{ "variables": { "MODEL_ID": "anthropic.claude-3-haiku", "LOG_LEVEL": "INFO" } }] }),
        ),
        3 => (
            "AWS::Bedrock::Guardrail",
            json!({
                "Name": format!("guardrail-{i}"),
                "BlockedInputMessaging": "Sorry, I can't help with that.",
                "BlockedOutputsMessaging": "Sorry, I can't share that.",
                "ContentPolicyConfig": { "FiltersConfig": [
                    { "Type": "PROMPT_ATTACK", "InputStrength": "HIGH", "OutputStrength": "NONE" }
                ]},
                "KmsKeyArn": { "Fn::GetAtt": ["Key", "Arn"] },
            }),
            "aws_bedrock_guardrail",
            json!({ "name": format!("guardrail-{i}"), "blocked_input_messaging": "Sorry, I can't help with that.",
                    "blocked_outputs_messaging": "Sorry, I can't share that.",
                    "content_policy_config": [{ "filters_config": [{ "type": "PROMPT_ATTACK", "input_strength": "HIGH", "output_strength": "NONE" }] }] }),
        ),
        4 => (
            "AWS::Bedrock::Agent",
            json!({
                "AgentName": format!("agent-{i}"),
                "FoundationModel": "anthropic.claude-3-haiku-20240307-v1:0",
                "AgentResourceRoleArn": { "Fn::GetAtt": [format!("Resource{}", i - 4), "Arn"] },
                "IdleSessionTTLInSeconds": 600,
                "GuardrailConfiguration": { "GuardrailIdentifier": { "Ref": format!("Resource{}", i - 1) }, "GuardrailVersion": "DRAFT" },
                "Instruction": "Answer questions about the product documentation.",
            }),
            "aws_bedrockagent_agent",
            json!({ "agent_name": format!("agent-{i}"), "foundation_model": "anthropic.claude-3-haiku-20240307-v1:0",
                    "idle_session_ttl_in_seconds": 600, "instruction": "Answer questions about the product documentation." }),
        ),
        5 => (
            "AWS::Bedrock::KnowledgeBase",
            json!({
                "Name": format!("kb-{i}"),
                "RoleArn": { "Fn::GetAtt": [format!("Resource{}", i - 5), "Arn"] },
                "KnowledgeBaseConfiguration": { "Type": "VECTOR", "VectorKnowledgeBaseConfiguration": {
                    "EmbeddingModelArn": "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0" } },
                "StorageConfiguration": { "Type": "OPENSEARCH_SERVERLESS", "OpensearchServerlessConfiguration": {
                    "CollectionArn": format!("arn:aws:aoss:eu-west-1:123456789012:collection/c{i}"), "VectorIndexName": "docs" } },
            }),
            "aws_bedrockagent_knowledge_base",
            json!({ "name": format!("kb-{i}"), "knowledge_base_configuration": [{ "type": "VECTOR" }],
                    "storage_configuration": [{ "type": "OPENSEARCH_SERVERLESS" }] }),
        ),
        6 => (
            "AWS::EC2::VPCEndpoint",
            json!({
                "ServiceName": "com.amazonaws.eu-west-1.bedrock-runtime",
                "VpcEndpointType": "Interface",
                "VpcId": { "Ref": "Vpc" },
                "PrivateDnsEnabled": true,
                "SubnetIds": [{ "Ref": "SubnetA" }, { "Ref": "SubnetB" }],
                "SecurityGroupIds": [{ "Ref": "EndpointSecurityGroup" }],
            }),
            "aws_vpc_endpoint",
            json!({ "service_name": "com.amazonaws.eu-west-1.bedrock-runtime", "vpc_endpoint_type": "Interface",
                    "private_dns_enabled": true, "subnet_ids": ["subnet-1", "subnet-2"] }),
        ),
        7 => (
            "AWS::CloudWatch::Alarm",
            json!({
                "AlarmName": format!("latency-{i}"),
                "MetricName": "InvocationLatency",
                "Namespace": "AWS/Bedrock",
                "Statistic": "Average",
                "Period": 300,
                "EvaluationPeriods": 3,
                "Threshold": 2500.5,
                "ComparisonOperator": "GreaterThanThreshold",
                "Dimensions": [{ "Name": "ModelId", "Value": "anthropic.claude-3-haiku" }],
            }),
            "aws_cloudwatch_metric_alarm",
            json!({ "alarm_name": format!("latency-{i}"), "metric_name": "InvocationLatency", "namespace": "AWS/Bedrock",
                    "statistic": "Average", "period": 300, "evaluation_periods": 3, "threshold": 2500.5 }),
        ),
        8 => (
            "AWS::StepFunctions::StateMachine",
            json!({
                "StateMachineName": format!("pipeline-{i}"),
                "RoleArn": { "Fn::GetAtt": [format!("Resource{}", i - 8), "Arn"] },
                "DefinitionString": "{\"StartAt\":\"Invoke\",\"States\":{\"Invoke\":{\"Type\":\"Task\",\"End\":true}}}",
                "LoggingConfiguration": { "Level": "ALL", "IncludeExecutionData": false },
                "TracingConfiguration": { "Enabled": true },
            }),
            "aws_sfn_state_machine",
            json!({ "name": format!("pipeline-{i}"), "definition": "{\"StartAt\":\"Invoke\"}",
                    "logging_configuration": [{ "level": "ALL", "include_execution_data": false }],
                    "tracing_configuration": [{ "enabled": true }] }),
        ),
        10 => (
            "AWS::Logs::LogGroup",
            json!({ "LogGroupName": format!("/genai/app-{i}"), "RetentionInDays": 365, "KmsKeyId": { "Fn::GetAtt": ["Key", "Arn"] } }),
            "aws_cloudwatch_log_group",
            json!({ "name": format!("/genai/app-{i}"), "retention_in_days": 365, "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/k" }),
        ),
        11 => (
            "AWS::SQS::Queue",
            json!({ "QueueName": format!("requests-{i}"), "KmsMasterKeyId": "alias/aws/sqs", "MessageRetentionPeriod": 345600 }),
            "aws_sqs_queue",
            json!({ "name": format!("requests-{i}"), "kms_master_key_id": "alias/aws/sqs", "message_retention_seconds": 345600 }),
        ),
        _ => (
            "AWS::SageMaker::Endpoint",
            json!({
                "EndpointName": format!("endpoint-{i}"),
                "EndpointConfigName": { "Fn::GetAtt": [format!("Config{i}"), "EndpointConfigName"] },
                "Tags": tags,
            }),
            "aws_sagemaker_endpoint",
            json!({ "name": format!("endpoint-{i}"), "endpoint_config_name": format!("config-{i}"), "tags": tf_tags }),
        ),
    }
}

/// A CloudFormation template with `count` resources, pretty-printed JSON (about 340 bytes a resource).
pub fn cloudformation(count: usize) -> Value {
    let mut resources = serde_json::Map::new();
    for i in 0..count {
        let (kind, properties, _, _) = resource(i);
        resources.insert(format!("Resource{i}"), json!({ "Type": kind, "Properties": properties }));
    }
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Generated GenAI workload",
        "Resources": resources,
    })
}

/// A Terraform plan with the same resources spread over child modules (50 per module, two levels),
/// each also listed in `resource_changes`.
pub fn terraform_plan(count: usize) -> Value {
    let per_module = 50;
    let mut children = Vec::new();
    let mut changes = Vec::new();
    for (m, chunk) in (0..count).collect::<Vec<_>>().chunks(per_module).enumerate() {
        let module = format!("module.app{m}");
        let resources: Vec<Value> = chunk
            .iter()
            .map(|&i| {
                let (_, _, kind, values) = resource(i);
                let address = format!("{module}.{kind}.r{i}");
                changes.push(json!({
                    "address": address, "module_address": module, "mode": "managed", "type": kind, "name": format!("r{i}"),
                    "provider_name": "registry.terraform.io/hashicorp/aws",
                    "change": { "actions": ["create"], "before": null, "after": values, "after_unknown": { "id": true, "arn": true } }
                }));
                json!({ "address": address, "mode": "managed", "type": kind, "name": format!("r{i}"),
                        "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                        "values": values, "sensitive_values": {} })
            })
            .collect();
        children.push(json!({ "address": module, "resources": resources }));
    }
    json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": { "root_module": { "child_modules": children } },
        "resource_changes": changes,
    })
}

/// JSON bytes with one resource a line: containers are indented, resources (objects with a
/// `Type` or `type`) written compactly.
pub fn to_json(value: &Value) -> Vec<u8> {
    let mut out = String::new();
    write_json(value, 0, &mut out);
    out.push('\n');
    out.into_bytes()
}

fn write_json(value: &Value, indent: usize, out: &mut String) {
    let is_resource = |map: &serde_json::Map<String, Value>| map.contains_key("Type") || map.contains_key("type");
    let pad = " ".repeat(indent + 2);
    match value {
        Value::Object(map) if !map.is_empty() && !is_resource(map) => {
            out.push_str("{\n");
            for (i, (key, value)) in map.iter().enumerate() {
                out.push_str(&pad);
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_json(value, indent + 2, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
        Value::Array(items) if items.iter().any(|item| item.is_object() || item.is_array()) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad);
                write_json(item, indent + 2, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&" ".repeat(indent));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Block-style YAML, the way CloudFormation YAML templates are written.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write_yaml(value, 0, &mut out);
    out
}

fn write_yaml(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                out.push_str(&pad);
                out.push_str(key);
                out.push(':');
                write_yaml_child(value, indent, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                write_yaml_child(item, indent, out);
            }
        }
        scalar => {
            out.push_str(&pad);
            out.push_str(&scalar.to_string());
            out.push('\n');
        }
    }
}

fn write_yaml_child(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_yaml(value, indent + 2, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_yaml(value, indent + 2, out);
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(_) => out.push_str(" []\n"),
        // JSON scalars are valid YAML flow scalars.
        scalar => {
            out.push(' ');
            out.push_str(&scalar.to_string());
            out.push('\n');
        }
    }
}
