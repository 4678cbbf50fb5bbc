"""A throw-away public key infrastructure for SSL tests, made with Open vSwitch's ``ovs-pki``.

:func:`make_pki` runs ``ovs-pki --dir=D init`` and ``ovs-pki req+sign NAME switch`` for each name
in a directory: every certificate is signed by the one "switch" CA (``Pki.ca_cert``), so any two
of them may talk to each other; a second :func:`make_pki` in another directory gives another,
unrelated CA (a certificate from it must be refused). ovs-pki names the subject
``CN=NAME id:UUID``, or ``CN=NAME`` with ``unique=True`` (``ovs-pki -u``: what RBAC needs, where
the common name must equal e.g. a chassis name). :func:`have_ovs_pki` says whether the tool is
installed.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Identity", "Pki", "have_ovs_pki", "make_pki"]


@dataclass(frozen=True)
class Identity:
    name: str
    private_key: str
    certificate: str
    ca_cert: str  # the CA that signed it

    def options(self, ca_cert: str | None = None) -> list[str]:
        """``-p KEY -c CERT -C CA`` for a tool's command line (``ca_cert``: another CA to trust)."""
        return ["-p", self.private_key, "-c", self.certificate, "-C", ca_cert or self.ca_cert]

    def settings(self, ca_cert: str | None = None) -> dict[str, str | None]:
        """The same, for :func:`pyovn.ovsdb.stream.configure_ssl`."""
        return {"private_key": self.private_key, "certificate": self.certificate,
                "ca_cert": ca_cert or self.ca_cert}


@dataclass
class Pki:
    dir: Path
    ca_cert: str
    identities: dict[str, Identity] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Identity:
        return self.identities[name]


def have_ovs_pki() -> bool:
    return shutil.which("ovs-pki") is not None


def make_pki(d: str | Path, names: tuple[str, ...] = ("server", "client"), *,
             unique: bool = False) -> Pki:
    """A new CA under ``d`` and a key and certificate for each of ``names`` (``unique``: the
    common name is the name alone)."""
    d = Path(d)
    d.mkdir(parents=True, exist_ok=True)
    pki_dir = d / "pki"

    def run(*args: str) -> None:
        subprocess.run(["ovs-pki", f"--dir={pki_dir}", f"--log={d / 'ovs-pki.log'}", *args],
                       cwd=d, check=True, capture_output=True, timeout=60)

    run("init")
    pki = Pki(d, str(pki_dir / "switchca" / "cacert.pem"))
    for name in names:
        run(*(["-u"] if unique else []), "req+sign", name, "switch")
        pki.identities[name] = Identity(name, str(d / f"{name}-privkey.pem"),
                                        str(d / f"{name}-cert.pem"), pki.ca_cert)
    return pki
