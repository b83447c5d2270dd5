"""`${secret:awssm://name#field}`: AWS Secrets Manager (boto3's credential chain; AWS_ENDPOINT_URL honoured).

Without `#field` the whole SecretString is the value; with it, the SecretString is a JSON
object and the field is taken from it.
"""

from __future__ import annotations

import json
import os

from mlsecops.errors import EnvironmentFailure, UsageError
from mlsecops.keys.interface import SecretProvider
from mlsecops.keys.vault import pick_field, split_reference


def secretsmanager_client(endpoint_url: str | None = None, region: str | None = None):
    import boto3

    # botocore reads only AWS_DEFAULT_REGION; the other AWS SDKs and the Jenkins AWS plugins set AWS_REGION
    region = region or os.environ.get("AWS_REGION") or None
    return boto3.session.Session().client("secretsmanager", endpoint_url=endpoint_url, region_name=region)


def read_secret_string(name: str, endpoint_url: str | None = None, region: str | None = None) -> str:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    try:
        response = secretsmanager_client(endpoint_url, region).get_secret_value(SecretId=name)
    except NoRegionError:
        raise UsageError(
            f"Secrets Manager: no AWS region to read '{name}' (set AWS_REGION or AWS_DEFAULT_REGION)"
        ) from None
    except NoCredentialsError:
        raise EnvironmentFailure(f"Secrets Manager: no AWS credentials to read '{name}'") from None
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            raise UsageError(f"secret awssm://{name}: not found") from None
        if code in ("AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException"):
            raise EnvironmentFailure(
                f"Secrets Manager: reading '{name}' refused: credentials rejected ({code})"
            ) from None
        raise EnvironmentFailure(f"Secrets Manager: reading '{name}' failed ({code})") from None
    except BotoCoreError as exc:
        raise EnvironmentFailure(f"Secrets Manager: reading '{name}' failed ({exc.__class__.__name__})") from None
    if "SecretString" not in response:
        raise UsageError(f"secret awssm://{name}: binary secrets are not supported")
    return response["SecretString"]


class SecretsManagerProvider(SecretProvider):
    scheme = "awssm"

    def resolve(self, reference: str) -> str:
        name, field = split_reference(reference, self.scheme)
        text = read_secret_string(name)
        if field is None:
            return text
        try:
            data = json.loads(text)
        except ValueError:
            raise UsageError(f"secret awssm://{name}#{field}: the secret is not a JSON object") from None
        if not isinstance(data, dict):
            raise UsageError(f"secret awssm://{name}#{field}: the secret is not a JSON object")
        return pick_field(data, field, f"secret awssm://{name}")
