"""Our SSH signatures, checked against OpenSSH's own ssh-keygen."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from app.sync import sshsig

needs_ssh_keygen = pytest.mark.skipif(shutil.which("ssh-keygen") is None,
                                      reason="OpenSSH's ssh-keygen is not installed")
NAMESPACE = "jointops-bundle-outer-v1"


def _ssh_verify(tmp: Path, key: Ed25519PrivateKey, signature: str, message: bytes,
                namespace: str = NAMESPACE) -> subprocess.CompletedProcess[bytes]:
    signers = tmp / "allowed_signers"
    signers.write_text(f"device@agency {sshsig.openssh_public(key.public_key())}\n")
    (tmp / "data.sig").write_text(signature)
    return subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(signers), "-I",
                           "device@agency", "-n", namespace, "-s", str(tmp / "data.sig")],
                          input=message, capture_output=True, check=False)


@needs_ssh_keygen
def test_ssh_keygen_verifies_our_signature(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    message = b"payload bytes \x00\x01" * 100
    result = _ssh_verify(tmp_path, key, sshsig.sign(key, NAMESPACE, message), message)
    assert result.returncode == 0, result.stderr
    assert b"Good" in result.stdout


@needs_ssh_keygen
def test_ssh_keygen_refuses_tampered_data_and_other_namespace(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    signature = sshsig.sign(key, NAMESPACE, b"original")
    assert _ssh_verify(tmp_path, key, signature, b"originaL").returncode != 0
    assert _ssh_verify(tmp_path, key, signature, b"original", "other-ns").returncode != 0


@needs_ssh_keygen
def test_we_verify_ssh_keygen_signatures(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    key_file = tmp_path / "id_ed25519"
    key_file.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, NoEncryption()))
    key_file.chmod(0o600)
    (tmp_path / "msg").write_bytes(b"signed by OpenSSH")
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(key_file), "-n", NAMESPACE,
                    str(tmp_path / "msg")], check=True, capture_output=True)
    armored = (tmp_path / "msg.sig").read_text()
    signer = sshsig.verify(armored, NAMESPACE, b"signed by OpenSSH")
    assert sshsig.fingerprint(signer) == sshsig.fingerprint(key.public_key())
    fp = subprocess.run(["ssh-keygen", "-l", "-f", str(key_file)], capture_output=True,
                        text=True, check=True).stdout.split()[1]
    assert fp == sshsig.fingerprint(key.public_key())


def test_wrong_namespace_tampering_and_garbage_refused() -> None:
    key = Ed25519PrivateKey.generate()
    signature = sshsig.sign(key, NAMESPACE, b"data")
    with pytest.raises(sshsig.SignatureError, match="namespace"):
        sshsig.verify(signature, "jointops-bundle-v1", b"data")
    with pytest.raises(sshsig.SignatureError, match="does not match"):
        sshsig.verify(signature, NAMESPACE, b"date")
    with pytest.raises(sshsig.SignatureError):
        sshsig.verify("not a signature", NAMESPACE, b"data")
    lines = signature.splitlines()
    body = lines[1]
    flipped = body[:-5] + ("A" if body[-5] != "A" else "B") + body[-4:]
    with pytest.raises(sshsig.SignatureError):
        sshsig.verify("\n".join([lines[0], flipped, *lines[2:]]), NAMESPACE, b"data")


def test_small_order_keys_are_refused() -> None:
    blob = sshsig._string(b"ssh-ed25519") + sshsig._string(bytes(32))
    with pytest.raises(sshsig.SignatureError, match="small-order"):
        sshsig.key_from_blob(blob)
