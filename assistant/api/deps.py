"""Request dependencies: the shared services and staff authentication."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.api.errors import ApiError
from assistant.runtime import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def require_staff(
    services: Annotated[Services, Depends(get_services)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    expected = services.settings.staff_token
    scheme, _, token = (authorization or "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "staff bearer token required",
                       headers={"WWW-Authenticate": "Bearer"})


ServicesDep = Annotated[Services, Depends(get_services)]
StaffDep = Depends(require_staff)
