"""JupyterHub for a class on one machine: every student runs the course in its own server and kernel,
all share one read-only copy of the trained models and of Fashion-MNIST.

    jupyterhub -f classroom/jupyterhub_config.py        (as root, from the course's environment)

Set-up in steps (classroom/README.md): install the course's environment plus JupyterHub
(`pip install -e '.[classroom]'`) and the proxy (`npm install -g configurable-http-proxy`); fill the
shared cache once (`python -m ae_helpers train --all --cache /srv/autoencoders/checkpoints`, then
`python -m ae_helpers data` with AE_DATA_DIR=/srv/autoencoders/data); make both read-only for students
(`chmod -R go-w` them, or a read-only mount); create the students' Linux accounts; start the hub.
Everything below can be changed with environment variables, so the file itself stays as it is:

    AE_CLASS_DIR        the shared folder (default /srv/autoencoders) with checkpoints/ and data/
    AE_CLASS_THREADS    torch threads per student kernel (default 1: fair when many compute at once)
    AE_CLASS_MEM        memory limit per student server, e.g. "1.5G" (needs a spawner that enforces it,
                        e.g. systemdspawner as The Littlest JupyterHub uses; LocalProcessSpawner ignores it)
    AE_CLASS_PORT       the public port (default 8000)

The test tests/test_hub.py loads this file and replaces only the authenticator and spawner
(DummyAuthenticator, SimpleLocalProcessSpawner) and the paths.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

SHARED = Path(os.environ.get("AE_CLASS_DIR", "/srv/autoencoders"))
BIN = Path(sys.executable).parent  # the course's environment: JupyterHub and the students' servers share it

c.JupyterHub.bind_url = f"http://:{os.environ.get('AE_CLASS_PORT', '8000')}"
# configurable-http-proxy from npm: found on PATH, or next to this environment's python.
c.ConfigurableHTTPProxy.command = ["configurable-http-proxy"]

# Students: real Linux accounts (PAM, the default) on one machine, listed in AE_CLASS_STUDENTS
# (space-separated), or added later by an admin (AE_CLASS_ADMINS) on the hub's admin page.
c.Authenticator.admin_users = set(os.environ.get("AE_CLASS_ADMINS", "").split())
if os.environ.get("AE_CLASS_STUDENTS"):
    c.Authenticator.allowed_users = set(os.environ["AE_CLASS_STUDENTS"].split())
c.Authenticator.allow_existing_users = True

# Each student's server runs in the course's environment and opens JupyterLab in the notebooks.
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    # The shared, read-only models and data: loading needs no write access; anything missing there is
    # trained into the student's own cache (~/.cache/ae_helpers) with a message, never a crash.
    "AE_CACHE_DIR": str(SHARED / "checkpoints"),
    "AE_DATA_DIR": str(SHARED / "data"),
    # Fair CPU: one torch thread per kernel (nothing left to spin or share; see ae_helpers/threads.py).
    "AE_THREADS": os.environ.get("AE_CLASS_THREADS", "1"),
    "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
}
if os.environ.get("AE_CLASS_MEM"):
    c.Spawner.mem_limit = os.environ["AE_CLASS_MEM"]
c.Spawner.cpu_limit = float(os.environ.get("AE_CLASS_CPUS", "1"))  # enforced by systemdspawner/kubespawner

# Stop idle servers after an hour so a forgotten notebook does not hold its memory all day
# (`pip install jupyterhub-idle-culler` to use it; it is skipped when not installed).
try:
    import jupyterhub_idle_culler  # noqa: F401

    c.JupyterHub.load_roles = [{"name": "idle-culler",
                                "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
                                "services": ["idle-culler"]}]
    c.JupyterHub.services = [{"name": "idle-culler",
                              "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"]}]
except ImportError:
    pass

# Hand out the notebooks with nbgitpuller links (nbgitpuller is in the course's "classroom" extra), e.g.
#   https://HUB/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2FORG%2FREPO&branch=main
#       &urlpath=lab%2Ftree%2FREPO%2Fnotebooks%2F00_welcome.ipynb
# Each student gets their own copy in their home folder; a later click merges the instructor's changes
# without overwriting the student's edits.
