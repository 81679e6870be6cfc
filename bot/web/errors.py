"""JSON errors for every failure; no stack trace ever reaches a client."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(web.HTTPException):
    """An error with a machine-readable code and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status_code = status
        super().__init__()
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error.status_code, error.code, error.message)
    except web.HTTPException as error:
        if error.status_code < 400:
            raise
        code = HTTP_CODES.get(error.status_code, "error")
        response = error_response(error.status_code, code, error.reason)
        if "Allow" in error.headers:  # 405 names the methods the resource has (RFC 9110)
            response.headers["Allow"] = error.headers["Allow"]
        return response
    except (OperationalError, DBAPIError, ConnectionError, OSError) as error:
        log.error("storage unavailable: %s", type(error).__name__)
        return error_response(503, "unavailable", "The service is temporarily unavailable.")
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal", "Something went wrong on our side.")
