#!/usr/bin/env python3
"""Generate the AWS managed policies `managed_policy(arn)` resolves.

Writes `crates/loupe-eval/data/managed-policies.json`, which `crates/loupe-eval` embeds with
`include_str!`: for each policy below, its ARN, the version read, and its policy document reduced to
what it grants or denies on Amazon Bedrock and Amazon SageMaker:

  * a statement with `Action` keeps only the actions whose service could be `bedrock*` or
    `sagemaker*` (`*`, `bedrock:*`, `bedrock-agentcore:Get*`, `sage*:*`, ...), and is left out when
    none is left;
  * a statement with `NotAction` is kept whole (what it excludes decides what it grants);
  * every other field of a kept statement (`Sid`, `Effect`, `Resource`, `NotResource`, `Condition`)
    is kept as AWS wrote it.

So a check judging a managed policy's statements about Bedrock or SageMaker sees what AWS's own
document says about them, and nothing about other services.

Input: a checkout of https://github.com/zoph-io/MAMIP ("Monitor AWS Managed IAM Policies"), which
records every AWS managed policy's default version as `aws iam get-policy-version` returns it
(`policies/<name>`) and the list of policies with their paths (`policies-list.json`). The commit and
its date are written into the data file. AWS publishes the same documents at
https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html.

Run (Python 3.11+, standard library only):

    git clone --depth 1 https://github.com/zoph-io/MAMIP target/mamip
    python3 scripts/managed-policies/generate.py target/mamip

then run `cargo test -p loupe-eval` and commit the data file. The build and the tests never run this
script.
"""

import json
import subprocess
import sys
from pathlib import Path

# Policies that grant (or could grant) Bedrock or SageMaker actions and that templates attach by ARN.
POLICIES = [
    "AdministratorAccess",
    "PowerUserAccess",
    "AmazonBedrockFullAccess",
    "AmazonBedrockReadOnly",
    "AmazonBedrockLimitedAccess",
    "AmazonBedrockMarketplaceAccess",
    "BedrockAgentCoreFullAccess",
    "AmazonSageMakerFullAccess",
    "AmazonSageMakerReadOnly",
    "AmazonSageMakerCanvasFullAccess",
    "AmazonSageMakerCanvasBedrockAccess",
    "AmazonSageMakerNotebooksServiceRolePolicy",
    "DataScientist",
]

SERVICES = ("bedrock", "sagemaker")
OUT = Path(__file__).resolve().parents[2] / "crates/loupe-eval/data/managed-policies.json"


def relevant(action: str) -> bool:
    """Whether an action pattern can match an action of a `bedrock*` or `sagemaker*` service."""
    service = action.split(":", 1)[0].lower()
    if "*" not in service and "?" not in service:
        return service.startswith(SERVICES)
    prefix = service.split("*", 1)[0].split("?", 1)[0]
    return any(name.startswith(prefix) or prefix.startswith(name) for name in SERVICES)


def reduce(statement: dict) -> dict | None:
    if "NotAction" in statement:
        return statement
    actions = statement.get("Action", [])
    listed = [actions] if isinstance(actions, str) else actions
    kept = [action for action in listed if relevant(action)]
    if not kept:
        return None
    return {key: (kept if key == "Action" and not isinstance(actions, str) else value)
            for key, value in statement.items()}


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    mamip = Path(sys.argv[1])
    git = ["git", "-C", str(mamip), "log", "-1", "--format=%H %cs"]
    commit, date = subprocess.run(git, check=True, capture_output=True, text=True).stdout.split()
    listing = json.loads((mamip / "policies-list.json").read_text())["Policies"]
    arns = {entry["PolicyName"]: entry["Arn"] for entry in listing}
    policies = {}
    for name in POLICIES:
        version = json.loads((mamip / "policies" / name).read_text())["PolicyVersion"]
        document = version["Document"]
        statements = document["Statement"]
        statements = [statements] if isinstance(statements, dict) else statements
        kept = [reduced for reduced in map(reduce, statements) if reduced is not None]
        arn = arns[name]
        key = arn.split(":policy/", 1)[1]
        policies[key] = {
            "arn": arn,
            "version": version["VersionId"],
            "document": {"Version": document["Version"], "Statement": kept},
        }
    data = {
        "source": f"https://github.com/zoph-io/MAMIP/tree/{commit} (policies/<name>, policies-list.json), "
        f"commit of {date}: AWS's `aws iam get-policy-version` output of each policy's default version",
        "reference": "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/",
        "reduced": "only statements and actions that can concern bedrock* or sagemaker* services are kept; "
        "statements with NotAction are kept whole (scripts/managed-policies/generate.py)",
        "policies": dict(sorted(policies.items())),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT}: {len(policies)} policies")


if __name__ == "__main__":
    main()
