"""Errors the emulator answers with, each carrying PAI's error ``code`` and HTTP status.

Every error becomes the Alibaba-shaped body
``{"RequestId": ..., "Code": ..., "Message": ..., "Recommend": ...}``.
The tree::

    EmulatorError                      (500 InternalError)
    ├── InvalidParameter               (400 InvalidParameter)
    │   └── CatalogError               (400 InvalidParameter; also a ValueError)
    ├── PayloadTooLarge                (413 PayloadTooLarge)
    ├── AuthError
    │   ├── MissingAuthorization       (400 MissingAuthorization)
    │   ├── InvalidAuthorization       (400 InvalidAuthorization)
    │   ├── SignatureDoesNotMatch      (400 SignatureDoesNotMatch)
    │   ├── AccessKeyNotFound          (404 InvalidAccessKeyId.NotFound)
    │   ├── MissingSecurityToken       (400 MissingSecurityToken)
    │   └── SecurityTokenMismatch      (400 InvalidSecurityToken.MismatchWithAccessKey)
    ├── ModelNotFound                  (404 201900002)
    ├── ModelVersionNotFound           (404 201900003)
    ├── ModelAlreadyExists             (409 ModelAlreadyExists; admin calls)
    ├── ModelVersionAlreadyExists      (409 ModelVersionAlreadyExists; admin calls)
    ├── AmbiguousModelName             (409 AmbiguousModelName; admin calls)
    ├── ApiNotFound                    (404 InvalidAction.NotFound)
    ├── MethodNotAllowed               (405 UnsupportedHTTPMethod)
    ├── AdminForbidden                 (403 Forbidden)
    └── InjectedFault                  (any status and code, from ``POST /_emulator/faults``)
"""

from __future__ import annotations

import uuid
from typing import Any

__all__ = [
    "AccessKeyNotFound",
    "AdminForbidden",
    "AmbiguousModelName",
    "ApiNotFound",
    "AuthError",
    "CatalogError",
    "EmulatorError",
    "InjectedFault",
    "InvalidAuthorization",
    "InvalidParameter",
    "MethodNotAllowed",
    "MissingAuthorization",
    "MissingSecurityToken",
    "ModelAlreadyExists",
    "ModelNotFound",
    "ModelVersionAlreadyExists",
    "ModelVersionNotFound",
    "PayloadTooLarge",
    "SecurityTokenMismatch",
    "SignatureDoesNotMatch",
    "error_body",
    "new_request_id",
]


def new_request_id() -> str:
    """A fresh request id, shaped like PAI's (upper-case UUID)."""
    return str(uuid.uuid4()).upper()


class EmulatorError(Exception):
    """An error the emulator answers with instead of a result."""

    status: int = 500
    code: str = "InternalError"
    default_message: str = "The emulator hit an internal error."
    recommend: str = "This is a bug in the emulator; please report it with the request that caused it."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        super().__init__(f"{self.status} {self.code}: {self.message}")

    def body(self, request_id: str) -> dict[str, Any]:
        """The JSON body PAI would send for this error."""
        return error_body(request_id, self.code, self.message, self.recommend)


def error_body(request_id: str, code: str, message: str, recommend: str = "") -> dict[str, Any]:
    """An Alibaba-shaped error body."""
    return {"RequestId": request_id, "Code": code, "Message": message, "Recommend": recommend}


class InvalidParameter(EmulatorError):
    """A request parameter is malformed or out of range."""

    status = 400
    code = "InvalidParameter"
    default_message = "A request parameter is invalid."
    recommend = "Check the parameter named in Message against the ListModels API reference."


class CatalogError(InvalidParameter, ValueError):
    """The catalog JSON is not a valid catalog (from a file, ``EmulatorServer(catalog=...)`` or ``PUT /_emulator/catalog``)."""

    recommend = 'A catalog is {"Models": [Model, ...]} in the ListModels response shape; fix the item named in Message.'


class PayloadTooLarge(EmulatorError):
    """The request body is larger than the emulator accepts."""

    status = 413
    code = "PayloadTooLarge"
    default_message = "The request body is too large."
    recommend = "Send a smaller body."


class AuthError(EmulatorError):
    """The request could not be authenticated."""

    status = 400
    code = "InvalidAuthorization"
    recommend = "Sign the request with a configured AccessKey pair (ACS3-HMAC-SHA256 or the v2 'acs' form)."


class MissingAuthorization(AuthError):
    """The request has no Authorization header."""

    code = "MissingAuthorization"
    default_message = "The request is not signed: the Authorization header is missing."


class InvalidAuthorization(AuthError):
    """The Authorization header is malformed or uses an unsupported algorithm."""

    code = "InvalidAuthorization"
    default_message = "The Authorization header is malformed."


class SignatureDoesNotMatch(AuthError):
    """The signature does not match the one computed with the key's secret."""

    code = "SignatureDoesNotMatch"
    default_message = "The request signature does not conform to Aliyun standards."
    recommend = "Check that the AccessKey secret is correct and that the request was not changed after signing."


class AccessKeyNotFound(AuthError):
    """The AccessKey id is not configured."""

    status = 404
    code = "InvalidAccessKeyId.NotFound"
    default_message = "Specified access key is not found."
    recommend = "Use an AccessKey id configured in the emulator (see --access-key)."


class MissingSecurityToken(AuthError):
    """The key is an STS key but the request carries no security token."""

    code = "MissingSecurityToken"
    default_message = "The AccessKey is a temporary (STS) key; the request must carry its security token."
    recommend = "Send the STS security token with the request (Config(security_token=...))."


class SecurityTokenMismatch(AuthError):
    """The security token does not belong to the AccessKey."""

    code = "InvalidSecurityToken.MismatchWithAccessKey"
    default_message = "The security token does not match the AccessKey."
    recommend = "Use the security token issued together with this AccessKey pair."


class ModelNotFound(EmulatorError):
    """No model has the requested ModelId."""

    status = 404
    code = "201900002"
    default_message = "The model does not exist."
    recommend = "Check the ModelId; ListModels shows the models that exist."


class ModelVersionNotFound(EmulatorError):
    """The model has no version with the requested VersionName."""

    status = 404
    code = "201900003"
    default_message = "The model version does not exist."
    recommend = "Check the VersionName; ListModelVersions shows the versions that exist."


class ModelAlreadyExists(EmulatorError):
    """An admin call adds a model whose ModelId is taken."""

    status = 409
    code = "ModelAlreadyExists"
    default_message = "A model with this ModelId already exists."
    recommend = "Give another ModelId (or none: one is generated), or delete the existing model first."


class ModelVersionAlreadyExists(EmulatorError):
    """An admin call adds a version whose VersionName the model already has."""

    status = 409
    code = "ModelVersionAlreadyExists"
    default_message = "The model already has a version with this VersionName."
    recommend = "Give another VersionName, change the existing version with PATCH, or delete it first."


class AmbiguousModelName(EmulatorError):
    """An admin call names a model by a ModelName that several models have."""

    status = 409
    code = "AmbiguousModelName"
    default_message = "Several models have this ModelName."
    recommend = "Name the model by its ModelId (GET /_emulator/catalog lists them)."


class ApiNotFound(EmulatorError):
    """No API is served at this path."""

    status = 404
    code = "InvalidAction.NotFound"
    default_message = "The specified API is not found."
    recommend = "The emulator serves GET /api/v1/models[/{ModelId}[/versions[/{VersionName}]]] and /_emulator/*."


class MethodNotAllowed(EmulatorError):
    """The path exists but not for this HTTP method."""

    status = 405
    code = "UnsupportedHTTPMethod"
    default_message = "The HTTP method is not supported for this path."
    recommend = "The model APIs are read with GET."


class AdminForbidden(EmulatorError):
    """An admin request was refused (browser origin or non-loopback Host)."""

    status = 403
    code = "Forbidden"
    default_message = "Admin endpoints refuse this request."
    recommend = "Call admin endpoints from a local, non-browser client on a loopback address."


class InjectedFault(EmulatorError):
    """An error injected through ``POST /_emulator/faults``."""

    default_message = "Injected fault."
    recommend = "This error was injected by a test through POST /_emulator/faults."
