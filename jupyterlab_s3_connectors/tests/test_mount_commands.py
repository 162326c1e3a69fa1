"""The mount tools' command lines and environments, the mount table, error lines (no FUSE)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..mounts.commands import rclone_command, s3fs_command
from ..mounts.mountinfo import mount_points, mounts_below
from ..mounts.state import Mount, MountError, tidy_line
from ..mounts.supervisor import MountSupervisor
from ..mounts.tools import MountEnvironment, fuse_problem
from ..records import Connector, Credentials

SECRET = "very-Secret-Key-0123456789"


def connector(**overrides) -> Connector:
    fields = dict(
        id="c1",
        name="demo",
        description="",
        endpoint="http://127.0.0.1:9000",
        region="eu-west-3",
        bucket="demo-bucket",
        prefix="data/2024/",
        access_key_id="AKID",
        mode="read-write",
        backend="s3fs",
        creator="alice",
        created_at="",
        updated_at="",
        active=True,
    )
    fields.update(overrides)
    return Connector(**fields)  # type: ignore[arg-type]


CREDENTIALS = Credentials("AKID", SECRET)


@pytest.fixture(autouse=True)
def server_environment(monkeypatch):
    # What the server's environment may hold; none of it reaches a mount tool.
    monkeypatch.setenv("AWS_CA_BUNDLE", "/etc/ssl/certs/ca.pem")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "the-server-own-key")


def test_s3fs_command_has_the_key_in_a_file_only():
    command = s3fs_command("/usr/bin/s3fs", connector(), CREDENTIALS, "/r/s3/demo", "/run/p")
    assert command.argv[:4] == ["/usr/bin/s3fs", "demo-bucket:/data/2024", "/r/s3/demo", "-f"]
    options = command.argv[5::2]
    assert "url=http://127.0.0.1:9000" in options
    assert "use_path_request_style" in options
    assert "endpoint=eu-west-3" in options
    assert "passwd_file=/run/p/passwd-s3fs" in options
    assert "ro" not in options
    assert not any(SECRET in arg for arg in command.argv)
    assert command.secret_files == {"/run/p/passwd-s3fs": f"AKID:{SECRET}\n"}
    assert set(command.env) == {
        "PATH",
        "HOME",
        "LANG",
        "LC_ALL",
        "TMPDIR",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
    }
    assert command.env["HOME"] == "/run/p"
    assert SECRET not in repr(command)


def test_s3fs_read_only_and_without_prefix():
    command = s3fs_command("s3fs", connector(mode="read-only", prefix=""), CREDENTIALS, "/m", "/p")
    assert command.argv[1] == "demo-bucket"
    assert "ro" in command.argv


def test_rclone_command_has_the_remote_in_its_environment():
    c = connector(backend="rclone")
    command = rclone_command("/usr/bin/rclone", c, CREDENTIALS, "/r/s3/demo", "/run/p")
    assert command.argv[:4] == [
        "/usr/bin/rclone",
        "mount",
        "s3c:demo-bucket/data/2024",
        "/r/s3/demo",
    ]
    assert "--daemon" not in command.argv
    assert "--read-only" not in command.argv
    assert not any(SECRET in arg for arg in command.argv)
    assert command.secret_files == {}
    env = command.env
    assert env["RCLONE_CONFIG_S3C_SECRET_ACCESS_KEY"] == SECRET
    assert env["RCLONE_CONFIG_S3C_ENDPOINT"] == "http://127.0.0.1:9000"
    assert env["RCLONE_CONFIG_S3C_REGION"] == "eu-west-3"
    assert env["RCLONE_CONFIG_S3C_FORCE_PATH_STYLE"] == "true"
    assert "AWS_CA_BUNDLE" not in env
    assert "AWS_SECRET_ACCESS_KEY" not in env
    read_only = rclone_command("rclone", connector(mode="read-only"), CREDENTIALS, "/m", "/p")
    assert "--read-only" in read_only.argv


def test_mount_table_is_parsed_with_escapes(tmp_path: Path):
    table = tmp_path / "mountinfo"
    table.write_text(
        "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "90 22 0:50 / /srv/my\\040root/s3/demo rw,nosuid,nodev - fuse.s3fs s3fs rw\n"
        "91 22 0:51 / /srv/my\\040root/s3/other rw - fuse.rclone s3c: rw\n"
    )
    points = mount_points(str(table))
    assert points["/srv/my root/s3/demo"] == "fuse.s3fs"
    assert points["/srv/my root/s3/other"] == "fuse.rclone"
    assert mount_points(str(tmp_path / "missing")) == {}
    assert mounts_below(str(tmp_path)) == []


def test_fuse_problem_says_why():
    assert "does not exist" in fuse_problem("/nonexistent/fuse")
    assert fuse_problem(os.devnull) == ""  # openable


def test_backend_problems_name_the_missing_piece():
    missing_tool = MountEnvironment(tools={"s3fs": None, "rclone": "/r", "fusermount3": "/f"})
    assert "apt-get install s3fs" in missing_tool.backend_problem("s3fs")
    assert missing_tool.backend_problem("rclone") == ""
    assert missing_tool.backend_problem("proxy") == ""
    no_fuse = MountEnvironment(
        tools={"s3fs": "/s", "rclone": "/r", "fusermount3": "/f"}, fuse_problem="no device"
    )
    assert no_fuse.backend_problem("rclone").endswith("no device")
    api = no_fuse.to_api()
    assert api["fuse"] == {"usable": False, "problem": "no device"}
    assert api["backends"]["s3fs"]["available"] is False
    no_fusermount = MountEnvironment(tools={"s3fs": "/s", "rclone": "/r", "fusermount3": None})
    assert "fuse3" in no_fusermount.backend_problem("s3fs")


def test_error_line_is_the_tools_own_without_noise_or_secret():
    mount = Mount(connector(), "/m", "/p", hidden=(SECRET,))
    for line in [
        "2026-11-30T02:00:52.520Z [INF] s3fs.cpp:s3fs_init(3382): init v1.90",
        "2026-11-30T02:00:52.525Z [ERR] curl.cpp:CheckBucket(3421): Check bucket failed, S3 "
        'response: <?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
        "<Message>Access Denied</Message></Error>",
        f"2026-11-30T02:00:52.572Z [CRT] s3fs.cpp:s3fs_check_service(3590): invalid "
        f"credentials(host=http://h) {SECRET}",
        "2026-11-30T02:00:52.572Z [ERR] s3fs.cpp:s3fs_exit_fuseloop(3372): Exiting FUSE event "
        "loop due to errors",
    ]:
        mount.lines.append(mount.clean(line))
    line = mount.error_line()
    assert line.startswith("[CRT] invalid credentials(host=http://h)")
    assert "(AccessDenied: Access Denied)" in line
    assert SECRET not in line
    assert tidy_line("2026/11/30 02:00:45 ERROR : IO error: x") == "ERROR : IO error: x"
    empty = Mount(connector(), "/m", "/p")
    assert empty.error_line() == ""


async def test_no_fuse_refuses_before_anything_happens(tmp_path: Path):
    environment = MountEnvironment(
        tools={"s3fs": "/usr/bin/s3fs", "rclone": "/usr/bin/rclone", "fusermount3": "/f"},
        fuse_problem="/dev/fuse does not exist.",
    )
    supervisor = MountSupervisor(
        mount_root=str(tmp_path / "s3"),
        root_dir=str(tmp_path),
        runtime_dir=str(tmp_path / "runtime"),
        probe=lambda: environment,
        commands={},
    )
    with pytest.raises(MountError) as refused:
        await supervisor.mount(connector(), CREDENTIALS)
    assert refused.value.status == 400
    assert refused.value.code == "backend.fuse"
    assert "FUSE" in refused.value.errors["backend"]
    assert not (tmp_path / "s3").exists()
    assert not (tmp_path / "runtime").exists()
    status = supervisor.status(connector())
    assert status is not None and status.state == "unmounted"
    assert status.path == "s3/demo"
    outside = MountSupervisor(
        mount_root="/srv/mounts",
        root_dir=str(tmp_path),
        runtime_dir=str(tmp_path),
        probe=lambda: environment,
        commands={},
    )
    assert outside.info()["mount_root"] is None
