"""docker/compose.yaml and the files it mounts: the stack cannot be started here, so it is checked statically.

A Compose Specification parser (compose-spec) accepts it; every service has an image, every
published port is well-formed and bound to 127.0.0.1, every bind-mounted path exists in the
repository, every named volume is declared, every required variable is documented in
env.example, and the Jenkins, Prometheus and Grafana files it mounts say what the library needs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKER_DIR = REPO_ROOT / "docker"
COMPOSE = yaml.safe_load((DOCKER_DIR / "compose.yaml").read_text())
SERVICES: dict = COMPOSE["services"]
PORT = re.compile(r"^(?P<ip>[0-9.]+):(?P<host>\d{1,5}):(?P<container>\d{1,5})(?:/(?:tcp|udp))?$")
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?P<rest>[^}]*)\}")

REQUIRED_PLUGINS = {
    "workflow-aggregator", "docker-workflow", "kubernetes", "credentials-binding", "hashicorp-vault-plugin",
    "gitlab-plugin", "github", "warnings-ng", "junit", "htmlpublisher", "pipeline-utility-steps", "timestamper",
    "configuration-as-code", "pipeline-groovy-lib", "git",
}


def _bind_mounts(service: dict) -> list[tuple[str, str]]:
    mounts = []
    for volume in service.get("volumes", []):
        source, _, target = volume.partition(":")
        if source.startswith((".", "/")):
            mounts.append((source, target.split(":")[0]))
    return mounts


def test_the_file_follows_the_compose_specification():
    # a typed parser of the Compose Specification: unknown keys and wrong types raise
    from compose_spec import PyCompose

    compose = PyCompose.from_yaml((DOCKER_DIR / "compose.yaml").read_text())

    assert sorted(compose.service_names()) == sorted(SERVICES)


def test_the_stack_has_the_services_the_library_talks_to():
    assert {"jenkins", "minio", "vault", "pushgateway", "prometheus", "grafana", "relay"} <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_names_a_pinned_image(name):
    image = SERVICES[name].get("image", "")
    assert image, f"{name} has no image"
    assert ":" in image.rsplit("/", 1)[-1], f"{name}: image {image} has no tag"
    assert not image.endswith(":latest"), f"{name}: image {image} floats on latest"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_published_port_is_well_formed_and_local_only(name):
    for mapping in SERVICES[name].get("ports", []):
        match = PORT.match(str(mapping))
        assert match, f"{name}: port mapping {mapping!r} is not IP:HOST:CONTAINER"
        assert match["ip"] == "127.0.0.1", f"{name}: {mapping} is reachable from other machines"
        assert 1 <= int(match["host"]) <= 65535 and 1 <= int(match["container"]) <= 65535


def test_no_two_services_publish_the_same_host_port():
    host_ports = [PORT.match(str(m))["host"] for s in SERVICES.values() for m in s.get("ports", [])]
    assert len(host_ports) == len(set(host_ports))


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_bind_mount_exists_in_the_repository(name):
    for source, target in _bind_mounts(SERVICES[name]):
        assert (DOCKER_DIR / source).resolve().exists(), f"{name}: {source} (-> {target}) does not exist"
        assert target.startswith("/"), f"{name}: mount target {target} is not absolute"


def test_every_named_volume_is_declared():
    declared = set(COMPOSE.get("volumes") or {})
    used = {
        volume.split(":")[0]
        for service in SERVICES.values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert used == declared


def test_dependencies_and_build_contexts_point_at_real_things():
    for name, service in SERVICES.items():
        for dependency in service.get("depends_on", []):
            assert dependency in SERVICES, f"{name} depends on unknown service {dependency}"
        if "build" in service:
            context = (DOCKER_DIR / service["build"]["context"]).resolve()
            assert (context / service["build"].get("dockerfile", "Dockerfile")).is_file(), name


def test_secrets_are_required_from_the_environment_and_documented():
    text = (DOCKER_DIR / "compose.yaml").read_text()
    documented = {
        line.split("=", 1)[0]
        for line in (DOCKER_DIR / "env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    for match in VARIABLE.finditer(text):
        assert match["name"] in documented, f"${{{match['name']}}} is not in docker/env.example"
        # webhook secrets may stay empty (that provider is then refused); every other credential is required
        is_credential = "PASSWORD" in match["name"] or "TOKEN" in match["name"]
        if is_credential and "WEBHOOK" not in match["name"]:
            assert match["rest"].startswith(":?"), f"{match['name']} must be required, not defaulted"
    assert ".env" in (DOCKER_DIR / ".gitignore").read_text().split()


def test_jenkins_gets_the_plugins_the_library_needs():
    lines = (DOCKER_DIR / "jenkins" / "plugins.txt").read_text().splitlines()
    plugins = {line.split(":")[0].strip() for line in lines if line.strip() and not line.startswith("#")}
    assert REQUIRED_PLUGINS <= plugins
    assert all(re.fullmatch(r"[a-z0-9-]+(:[\w.-]+)?", line.strip()) for line in lines
               if line.strip() and not line.startswith("#"))


def test_jenkins_registers_the_library_through_configuration_as_code():
    casc = yaml.safe_load((DOCKER_DIR / "jenkins" / "casc.yaml").read_text())
    libraries = casc["unclassified"]["globalLibraries"]["libraries"]

    assert [library["name"] for library in libraries] == ["mlsecops"]
    assert libraries[0]["retriever"]["modernSCM"]["scm"]["git"]["remote"]
    casc_mount = dict(_bind_mounts(SERVICES["jenkins"]))["./jenkins/casc.yaml"]
    assert f"CASC_JENKINS_CONFIG={casc_mount}" in (DOCKER_DIR / "jenkins" / "Dockerfile").read_text()


def test_the_seeded_jenkins_job_declares_every_parameter_the_relay_sends():
    from mlsecops.jenkins.settings import PARAMETER_NAMES

    casc_text = (DOCKER_DIR / "jenkins" / "casc.yaml").read_text()
    for parameter in PARAMETER_NAMES.values():
        assert f"stringParam('{parameter}'" in casc_text
    relay_command = SERVICES["relay"]["command"]
    assert relay_command[relay_command.index("--job") + 1] == "mlsecops"
    assert "pipelineJob('mlsecops')" in casc_text


def test_prometheus_scrapes_the_pushgateway():
    prometheus = yaml.safe_load((DOCKER_DIR / "prometheus" / "prometheus.yml").read_text())
    targets = [t for job in prometheus["scrape_configs"] for c in job["static_configs"] for t in c["targets"]]
    assert "pushgateway:9091" in targets


def test_grafana_provisions_the_project_dashboard_from_its_mounted_folder():
    provider = yaml.safe_load((DOCKER_DIR / "grafana/provisioning/dashboards/mlsecops.yaml").read_text())
    datasource = yaml.safe_load((DOCKER_DIR / "grafana/provisioning/datasources/prometheus.yaml").read_text())
    mounts = dict(_bind_mounts(SERVICES["grafana"]))

    dashboard_folder = mounts["../resources/org/mlsecops/grafana"]
    assert provider["providers"][0]["options"]["path"] == dashboard_folder
    assert mounts["./grafana/provisioning"] == "/etc/grafana/provisioning"
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"
    assert list((REPO_ROOT / "resources/org/mlsecops/grafana").glob("*.json")), "no dashboard to provision"


def test_every_datasource_the_dashboards_use_resolves_when_provisioned():
    """Grafana ignores `__inputs` of provisioned files: a uid must be the provisioned one or a datasource variable."""
    import json

    provisioned = {d["uid"] for d in yaml.safe_load(
        (DOCKER_DIR / "grafana/provisioning/datasources/prometheus.yaml").read_text())["datasources"]}
    for path in (REPO_ROOT / "resources/org/mlsecops/grafana").glob("*.json"):
        dashboard = json.loads(path.read_text())
        variables = {v["name"] for v in dashboard.get("templating", {}).get("list", []) if v.get("type") == "datasource"}
        used = set(re.findall(r'"uid":\s*"([^"]*)"', json.dumps(_datasource_refs(dashboard))))
        for uid in used:
            variable = re.fullmatch(r"\$\{?(\w+)\}?", uid)
            assert uid in provisioned or uid.startswith("-- ") or (variable and variable[1] in variables), (
                f"{path.name}: datasource uid {uid!r} resolves to nothing when provisioned"
            )


def _datasource_refs(node: object) -> list:
    if isinstance(node, dict):
        found = [node["datasource"]] if isinstance(node.get("datasource"), dict) else []
        return found + [ref for value in node.values() for ref in _datasource_refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _datasource_refs(item)]
    return []
