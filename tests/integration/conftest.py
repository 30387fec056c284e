"""Fixtures of the integration tests that talk to a real S3 API: a moto_server process on loopback
(its own process: deltalake holds the GIL, which deadlocks a threaded in-process server)."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

BUCKET = "chargelake-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def s3_client(s3_env):
    return boto3.client(
        "s3",
        endpoint_url=s3_env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def storage(s3_env) -> dict:
    return {**s3_env, "AWS_ALLOW_HTTP": "true"}


@pytest.fixture(scope="module")
def s3_env():
    port = free_port()
    moto = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
    }
    try:
        for _ in range(100):
            try:
                boto3.client(
                    "s3",
                    endpoint_url=env["AWS_ENDPOINT_URL"],
                    region_name="us-east-1",
                    aws_access_key_id="test",
                    aws_secret_access_key="test",
                ).create_bucket(Bucket=BUCKET)
                break
            except Exception:  # not listening yet
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=10)
