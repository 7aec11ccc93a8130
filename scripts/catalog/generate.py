#!/usr/bin/env python3
"""Generate Loupe's resource catalog: AWS resource types and their top-level property names.

Writes two compact text files that `crates/loupe-catalog` embeds with `include_str!`:

    crates/loupe-catalog/data/cloudformation.txt   CloudFormation (and SAM) resource types
    crates/loupe-catalog/data/terraform-aws.txt    Terraform AWS provider resources and data sources

Format: `#` header lines (`# source: ...` lines name the sources and their versions), then one line
per type, sorted: `TypeName<TAB>Prop1,Prop2,...`, the property names sorted and comma-separated
(an empty list when the type has none).

Inputs (public packages, fetched with their ordinary clients; nothing of them is committed):

  * CloudFormation: the PyPI wheel of `cfn-lint`, which ships AWS's CloudFormation resource provider
    schemas: `cfnlint/data/schemas/providers/<region>.json` maps each type name to a schema file
    `cfnlint/data/schemas/resources/<hash>.json` (`typeName`, `properties`, `readOnlyProperties`), and
    `providers/sam.json` does the same for the SAM types (`AWS::Serverless::*`). The catalog takes the
    union over all regions and SAM. A type's properties are its top-level `properties` less its
    top-level `readOnlyProperties` (`Arn`, `Id`, ...: attributes that `Fn::GetAtt` reads but that a
    template's `Properties` cannot set, and that Loupe's evidence therefore never holds).
  * Terraform: the npm package `@cdktn/provider-aws` (CDK Terrain's prebuilt bindings, generated from
    the `hashicorp/aws` provider's schema; the provider version is in its package.json). Each
    `lib/<name>/index.js` holds one class extending `TerraformResource` or `TerraformDataSource`
    with `static tfResourceType = "aws_..."` and one `// <name> - computed: ...` comment per
    top-level attribute or block, generated from the provider schema. All of them are kept, arguments
    and computed attributes alike, since a Terraform plan's or state's values hold both. Data sources
    are written as `data.aws_...`, the `.type` Loupe's evidence loader gives them. Ephemeral resources
    are left out (they are in neither plans nor states).

Run (Python 3.11+, standard library only; needs `pip` and `npm` on PATH to download):

    python3 scripts/catalog/generate.py                      # newest versions of both packages
    python3 scripts/catalog/generate.py --cfn-lint 1.58.0 --provider-aws 25.7.0
    python3 scripts/catalog/generate.py --cfn-lint-wheel path/to/cfn_lint-*.whl \\
        --provider-aws-tgz path/to/cdktn-provider-aws-*.tgz   # files already downloaded

Downloads go to `target/catalog-sources/` (ignored by git; `--cache DIR` to change). The packages are
read in place (the wheel as a zip, the npm tarball streamed), not unpacked: the npm package is about
46 MB packed and 480 MB unpacked. The build and the tests never run this script; rerun it and commit
the two data files to update the catalog.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "crates" / "loupe-catalog" / "data"
CFN_PACKAGE = "cfn-lint"
TF_PACKAGE = "@cdktn/provider-aws"

PROVIDERS = "cfnlint/data/schemas/providers/"
RESOURCES = "cfnlint/data/schemas/resources/"


def download_wheel(version: str | None, cache: Path) -> Path:
    spec = f"{CFN_PACKAGE}=={version}" if version else CFN_PACKAGE
    before = set(cache.glob("cfn_lint-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", str(cache), spec],
        check=True,
        stdout=sys.stderr,
    )
    wheels = set(cache.glob("cfn_lint-*.whl"))
    if version:
        wanted = [w for w in wheels if w.name.startswith(f"cfn_lint-{version}-")]
    else:
        wanted = list(wheels - before) or sorted(wheels, key=lambda w: w.stat().st_mtime)[-1:]
    if len(wanted) != 1:
        sys.exit(f"cannot tell which cfn-lint wheel pip downloaded into {cache}: {sorted(map(str, wanted))}")
    return wanted[0]


def download_tgz(version: str | None, cache: Path) -> Path:
    spec = f"{TF_PACKAGE}@{version}" if version else TF_PACKAGE
    result = subprocess.run(
        ["npm", "pack", "--json", "--pack-destination", str(cache), spec], check=True, capture_output=True, text=True
    )
    return cache / json.loads(result.stdout)[0]["filename"]


def check_name(name: str, what: str) -> str:
    if not name or any(c in name for c in ",\t\n\r#") or name != name.strip():
        sys.exit(f"{what} `{name!r}` cannot be written in the catalog's format")
    return name


def write(path: Path, header: list[str], types: dict[str, set[str]]) -> None:
    lines = [f"# {line}" for line in header]
    for name in sorted(types):
        check_name(name, "type")
        props = sorted(check_name(p, f"property of {name}") for p in types[name])
        lines.append(f"{name}\t{','.join(props)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{path.relative_to(REPO)}: {len(types)} types, {path.stat().st_size} bytes", file=sys.stderr)


def cloudformation(wheel: Path) -> tuple[str, dict[str, set[str]], int]:
    with zipfile.ZipFile(wheel) as z:
        metadata = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        version = re.search(r"^Version: (\S+)$", z.read(metadata).decode(), re.M).group(1)
        maps = [n for n in z.namelist() if n.startswith(PROVIDERS) and n.endswith(".json")]
        hashes: dict[str, set[str]] = {}
        for name in maps:
            for type_name, digest in json.loads(z.read(name)).items():
                hashes.setdefault(type_name, set()).add(digest)
        types: dict[str, set[str]] = {}
        for type_name, digests in hashes.items():
            props = types.setdefault(type_name, set())
            for digest in digests:
                schema = json.loads(z.read(f"{RESOURCES}{digest}.json"))
                if schema.get("typeName", type_name) != type_name:
                    sys.exit(f"{digest}.json names {schema.get('typeName')}, not {type_name}")
                read_only = {
                    p.removeprefix("/properties/")
                    for p in schema.get("readOnlyProperties", [])
                    if p.startswith("/properties/") and p.count("/") == 2
                }
                props.update(p for p in schema.get("properties", {}) if p not in read_only)
    return version, types, len(maps)


CLASS = re.compile(r"^class (\w+) extends cdktn\.(TerraformResource|TerraformDataSource) \{$", re.M)
RESOURCE_TYPE = re.compile(r'^    static tfResourceType = "([^"]+)";$', re.M)
ATTRIBUTE = re.compile(r"^    // (\w+) - computed: (?:true|false), optional: (?:true|false), required: (?:true|false)$", re.M)


def terraform(tgz: Path) -> tuple[str, str, dict[str, set[str]], dict[str, set[str]]]:
    resources: dict[str, set[str]] = {}
    data_sources: dict[str, set[str]] = {}
    package = None
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar:
            parts = member.name.split("/")
            if member.name == "package/package.json":
                package = json.load(tar.extractfile(member))
                continue
            if len(parts) != 4 or parts[:2] != ["package", "lib"] or parts[3] != "index.js":
                continue
            text = tar.extractfile(member).read().decode("utf-8")
            for found in CLASS.finditer(text):
                end = text.find("\n}\n", found.end())
                body = text[found.end() : end]
                type_name = RESOURCE_TYPE.search(body).group(1)
                attributes = set(ATTRIBUTE.findall(body))
                if not attributes:
                    sys.exit(f"{member.name}: no attributes found for {type_name}")
                if found.group(2) == "TerraformResource":
                    resources[type_name] = attributes
                else:
                    data_sources[f"data.{type_name}"] = attributes
    if package is None:
        sys.exit(f"{tgz}: no package/package.json")
    provider = package["cdktn"]["provider"]
    if provider["name"] != "registry.terraform.io/hashicorp/aws":
        sys.exit(f"{tgz}: wraps {provider['name']}, not hashicorp/aws")
    for name in list(resources) + list(data_sources):
        if not name.removeprefix("data.").startswith("aws_"):
            sys.exit(f"{tgz}: unexpected type {name}")
    return package["version"], provider["version"], resources, data_sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cfn-lint", metavar="VERSION", help="cfn-lint version to download (default: newest)")
    parser.add_argument("--provider-aws", metavar="VERSION", help=f"{TF_PACKAGE} version to download (default: newest)")
    parser.add_argument("--cfn-lint-wheel", type=Path, help="use this cfn-lint wheel instead of downloading one")
    parser.add_argument("--provider-aws-tgz", type=Path, help=f"use this {TF_PACKAGE} tarball instead of downloading one")
    parser.add_argument("--cache", type=Path, default=REPO / "target" / "catalog-sources", help="download directory")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory (default: the crate's data/)")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)

    wheel = args.cfn_lint_wheel or download_wheel(args.cfn_lint, args.cache)
    version, types, maps = cloudformation(wheel)
    write(
        args.out / "cloudformation.txt",
        [
            "Loupe resource catalog: CloudFormation resource types and the top-level properties a template can set.",
            f"source: cfn-lint {version} (PyPI), AWS CloudFormation resource provider schemas"
            f" (union of {maps - 1} regions and SAM)",
            "properties: each schema's top-level `properties` less its `readOnlyProperties`",
            "generated by scripts/catalog/generate.py; format: TypeName<TAB>Prop1,Prop2,... (sorted)",
        ],
        types,
    )

    tgz = args.provider_aws_tgz or download_tgz(args.provider_aws, args.cache)
    package_version, provider_version, resources, data_sources = terraform(tgz)
    write(
        args.out / "terraform-aws.txt",
        [
            "Loupe resource catalog: Terraform AWS provider resources and data sources, and their top-level"
            " attributes and blocks.",
            f"source: hashicorp/aws provider {provider_version}, through {TF_PACKAGE} {package_version} (npm)",
            f"resources: {len(resources)} (aws_...); data sources: {len(data_sources)} (data.aws_..., after the"
            " resources)",
            "generated by scripts/catalog/generate.py; format: TypeName<TAB>attr1,attr2,... (sorted)",
        ],
        {**resources, **data_sources},
    )


if __name__ == "__main__":
    main()
