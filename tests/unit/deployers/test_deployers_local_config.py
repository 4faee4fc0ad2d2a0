"""The local target's container description, without a Docker engine: labels, run arguments, read-back."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from vitesse.deployers import coerce_config
from vitesse.deployers._docker import LocalOptions, config_from_container, run_kwargs, traefik_labels
from vitesse.deployers.base import parse_options
from vitesse.errors import ConfigError

SECRET = "sk_live_0123456789abcdef"


def _config(**extra):
    return coerce_config(
        {"env": {"SYNC_LABEL": "a", "SOURCE_API_KEY": SECRET}, "memory_mb": 384, "cpu_cores": 0.75, **extra}
    )


def test_the_users_default_is_the_vitesse_net_bridge_with_traefik_labels():
    options = LocalOptions()
    config = _config()
    labels = traefik_labels("integ_abc123", config, 8080, "localhost", options)
    kwargs = run_kwargs("integ_abc123", config, 8080, labels, options)
    assert kwargs["network"] == "vitesse-net" and "network_mode" not in kwargs
    assert labels["traefik.enable"] == "true"
    assert labels["traefik.docker.network"] == "vitesse-net"
    assert labels["traefik.http.routers.vitesse-integ-abc123.rule"] == "Host(`vitesse-integ-abc123.localhost`)"
    assert labels["traefik.http.routers.vitesse-integ-abc123.entrypoints"] == "web"
    assert labels["traefik.http.services.vitesse-integ-abc123.loadbalancer.server.port"] == "8080"
    assert SECRET not in json.dumps(labels)
    assert kwargs["environment"]["VITESSE_HOST"] == "0.0.0.0"
    assert (kwargs["mem_limit"], kwargs["nano_cpus"], kwargs["user"]) == ("384m", 750_000_000, "10001:10001")
    assert (kwargs["read_only"], kwargs["cap_drop"], kwargs["init"]) == (True, ["ALL"], True)
    assert list(kwargs["tmpfs"]) == ["/tmp"]
    assert kwargs["volumes"] == {"vitesse-integ-abc123-state": {"bind": "/var/lib/vitesse", "mode": "rw"}}


def test_host_networking_listens_on_loopback_and_drops_the_network_label():
    options = LocalOptions(domain="apps.test")
    config = _config(network_mode="host")
    labels = traefik_labels("i1", config, 18123, "apps.test", options)
    kwargs = run_kwargs("i1", config, 18123, labels, options)
    assert kwargs["network_mode"] == "host" and "network" not in kwargs
    assert "traefik.docker.network" not in labels
    assert (kwargs["environment"]["VITESSE_HOST"], kwargs["environment"]["VITESSE_PORT"]) == ("127.0.0.1", "18123")


def test_a_command_override_gets_its_markers_filled_and_other_braces_kept():
    config = _config(command=["python", "-c", "print({'a': 1})", "--port", "{port}", "--config", "{config}"])
    kwargs = run_kwargs("i1", config, 9000, {}, LocalOptions())
    assert kwargs["command"] == [
        "python",
        "-c",
        "print({'a': 1})",
        "--port",
        "9000",
        "--config",
        "/app/runtime-config.json",
    ]


def test_the_config_is_read_back_from_the_container_record():
    config = _config(port=9000, domain="apps.test")
    labels = traefik_labels("i1", config, 9000, "apps.test", LocalOptions())
    env = run_kwargs("i1", config, 9000, labels, LocalOptions())["environment"]
    container = SimpleNamespace(
        labels=labels, attrs={"Config": {"Env": [f"{k}={v}" for k, v in env.items()] + ["PATH=/x"]}}
    )
    back = config_from_container(container)
    assert back.env == {"SYNC_LABEL": "a"}
    assert back.secret_values() == {"SOURCE_API_KEY": SECRET}
    assert (back.memory_mb, back.cpu_cores, back.port, back.domain) == (384, 0.75, 9000, "apps.test")


def test_the_guides_keys_set_the_domain_and_the_docker_host():
    options = LocalOptions.model_validate({"host": "apps.test", "docker_socket": "/var/run/docker.sock"})
    assert (options.domain, options.docker_host) == ("apps.test", "unix:///var/run/docker.sock")
    assert LocalOptions(docker_host="tcp://127.0.0.1:2375").docker_host == "tcp://127.0.0.1:2375"
    assert LocalOptions.model_validate({"docker_socket": "unix:///run/d.sock"}).docker_host == "unix:///run/d.sock"
    assert LocalOptions.model_validate({"host": "a.test", "domain": "a.test"}).domain == "a.test", "same value: fine"


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"host": "a.test", "domain": "b.test"}, "host and domain name the same setting with different values"),
        ({"docker_socket": "/a.sock", "docker_host": "unix:///b.sock"}, "docker_socket and docker_host"),
        ({"hostname": "a.test"}, "hostname: Extra inputs are not permitted"),
        ({"traefik_config": "/nonexistent/traefik.yml"}, "cannot read the Traefik config /nonexistent/traefik.yml"),
    ],
)
def test_conflicting_unknown_or_unreadable_local_options_are_a_config_error(config, words):
    with pytest.raises(ConfigError, match=words):
        parse_options(LocalOptions, config)


def test_traefik_config_becomes_labels_under_the_router_or_at_its_own_path():
    options = LocalOptions(
        traefik_config={
            "tls": {"certResolver": "le", "domains": [{"main": "apps.test"}]},
            "middlewares": ["auth@file", "gzip"],
            "http.middlewares.gzip.compress": True,
            "traefik.http.services.vitesse-i1.loadbalancer.passhostheader": False,
        }
    )
    labels = traefik_labels("i1", _config(), 8080, "apps.test", options)
    router = "traefik.http.routers.vitesse-i1"
    assert labels[f"{router}.tls.certResolver"] == "le"
    assert labels[f"{router}.middlewares"] == "auth@file,gzip"
    assert labels["traefik.http.middlewares.gzip.compress"] == "true"
    assert labels["traefik.http.services.vitesse-i1.loadbalancer.passhostheader"] == "false"
    assert labels[f"{router}.rule"] == "Host(`vitesse-i1.apps.test`)", "Vitesse's own labels stay"
    plain = traefik_labels("i1", _config(), 8080, "apps.test", LocalOptions())
    assert LocalOptions().traefik_config == {} and not [k for k in plain if ".tls" in k or "middlewares" in k]


def test_traefik_config_may_be_a_yaml_file(tmp_path):
    path = tmp_path / "dynamic.yml"
    path.write_text("entrypoints: [websecure]\n")
    options = parse_options(LocalOptions, {"traefik_config": str(path)})
    assert traefik_labels("i1", _config(), 8080, "x", options)["traefik.http.routers.vitesse-i1.entrypoints"] == (
        "websecure"
    )
    path.write_text("- not a mapping\n")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        parse_options(LocalOptions, {"traefik_config": str(path)})
