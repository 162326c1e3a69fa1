"""The command line and environment of each mount tool, built from a connector.

Pure functions. Nothing secret goes on a command line (``/proc/<pid>/cmdline`` is readable by
every user of the machine): s3fs reads the key from a 0600 file that the supervisor removes
once the mount is up, rclone from its own environment (readable only by the same user). The
environment is built here from nothing, never copied from the server's: the server's may hold
variables that break the tools (``AWS_CA_BUNDLE`` makes rclone fail) or other credentials.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..records import Connector, Credentials

#: The PATH of a mount process: the system's directories, nothing from the server's PATH.
SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#: The name of the rclone remote defined in the child's environment.
RCLONE_REMOTE = "s3c"


@dataclass(frozen=True)
class MountCommand:
    """How to start one mount: argv, environment and files to write first."""

    argv: list[str]
    env: dict[str, str]
    #: path -> content of files written with mode 0600 before the start, removed after.
    secret_files: dict[str, str] = field(default_factory=dict, repr=False)


def base_environment(private_dir: str) -> dict[str, str]:
    """The whole environment of a mount process, before the tool's own variables."""
    return {
        "PATH": SAFE_PATH,
        "HOME": private_dir,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TMPDIR": private_dir,
        "XDG_CONFIG_HOME": os.path.join(private_dir, "config"),
        "XDG_CACHE_HOME": os.path.join(private_dir, "cache"),
    }


def s3fs_command(
    tool: str,
    connector: Connector,
    credentials: Credentials,
    mount_point: str,
    private_dir: str,
) -> MountCommand:
    """``s3fs bucket[:/folder] <mount point> -f -o ...`` with the key in a passwd file."""
    passwd_file = os.path.join(private_dir, "passwd-s3fs")
    source = connector.bucket
    if connector.prefix:
        source += ":/" + connector.prefix.rstrip("/")
    options = [
        f"url={connector.endpoint}",
        "use_path_request_style",
        f"endpoint={connector.region}",
        f"passwd_file={passwd_file}",
        # Objects written by other tools have no mode of their own: show them readable.
        f"uid={os.getuid()}",
        f"gid={os.getgid()}",
        "umask=0022",
        "mp_umask=0022",
        "dbglevel=err",
        "retries=2",
        "connect_timeout=10",
    ]
    if connector.mode == "read-only":
        options.append("ro")
    argv = [tool, source, mount_point, "-f"]
    for option in options:
        argv += ["-o", option]
    return MountCommand(
        argv=argv,
        env=base_environment(private_dir),
        secret_files={
            passwd_file: f"{credentials.access_key_id}:{credentials.secret_access_key}\n"
        },
    )


def rclone_command(
    tool: str,
    connector: Connector,
    credentials: Credentials,
    mount_point: str,
    private_dir: str,
) -> MountCommand:
    """``rclone mount s3c:bucket/folder <mount point>`` (foreground), the remote in the
    environment (``RCLONE_CONFIG_S3C_*``)."""
    prefix = "RCLONE_CONFIG_" + RCLONE_REMOTE.upper() + "_"
    env = base_environment(private_dir)
    env.update(
        {
            prefix + "TYPE": "s3",
            prefix + "PROVIDER": "Other",
            prefix + "ENV_AUTH": "false",
            prefix + "ACCESS_KEY_ID": credentials.access_key_id,
            prefix + "SECRET_ACCESS_KEY": credentials.secret_access_key,
            prefix + "ENDPOINT": connector.endpoint,
            prefix + "REGION": connector.region,
            prefix + "FORCE_PATH_STYLE": "true",
            prefix + "NO_CHECK_BUCKET": "true",
        }
    )
    source = f"{RCLONE_REMOTE}:{connector.bucket}"
    if connector.prefix:
        source += "/" + connector.prefix.rstrip("/")
    argv = [
        tool,
        "mount",
        source,
        mount_point,
        "--config",
        os.path.join(private_dir, "rclone.conf"),
        "--cache-dir",
        os.path.join(private_dir, "cache"),
        "--vfs-cache-mode",
        "writes",
        # Written files go to the bucket when closed, and other writers' objects show soon.
        "--vfs-write-back",
        "0s",
        "--dir-cache-time",
        "5s",
        "--log-level",
        "NOTICE",
    ]
    if connector.mode == "read-only":
        argv.append("--read-only")
    return MountCommand(argv=argv, env=env)


BUILDERS = {"s3fs": s3fs_command, "rclone": rclone_command}
