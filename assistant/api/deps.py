"""Request dependencies: the shared services and staff authentication by scoped token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.api.errors import ApiError
from assistant.audit import Actor
from assistant.runtime import Services
from assistant.staff import cookies


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def staff_actor(scope: str) -> Callable[..., Actor]:
    """A dependency: the staff member behind the bearer token, who must hold `scope` (admin holds every scope)."""

    def dependency(
        request: Request,
        services: Annotated[Services, Depends(get_services)],
        authorization: Annotated[str | None, Header()] = None,
    ) -> Actor:
        scheme, _, token = (authorization or "").partition(" ")
        actor = services.staff_tokens.authenticate(token.strip()) if scheme.lower() == "bearer" else None
        if actor is None and authorization is None and request.method == "GET":  # the dashboard's session
            digest = cookies.verify(services.settings.widget_secret, request.cookies.get(cookies.NAME, ""),
                                    services.clock.now())
            actor = services.staff_tokens.by_digest(digest) if digest else None
        if actor is None:
            raise ApiError(401, "unauthorized", "a staff bearer token is required (portside staff token create)",
                           headers={"WWW-Authenticate": "Bearer"})
        if not actor.can(scope):
            raise ApiError(403, "forbidden", f"this token lacks the {scope!r} scope (it has: "
                           f"{', '.join(sorted(actor.scopes))})")
        return actor

    return dependency


ServicesDep = Annotated[Services, Depends(get_services)]
ReadActor = Annotated[Actor, Depends(staff_actor("read"))]
ActActor = Annotated[Actor, Depends(staff_actor("act"))]
ApproveActor = Annotated[Actor, Depends(staff_actor("approve"))]
PrivacyActor = Annotated[Actor, Depends(staff_actor("privacy"))]
AdminActor = Annotated[Actor, Depends(staff_actor("admin"))]
StaffDep = Depends(staff_actor("read"))
