"""The FastAPI application: one factory, services injected, routers added per channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from assistant.api import chat, live, orders, staff
from assistant.api.errors import install_error_handlers
from assistant.api.ratelimit import RateLimiter
from assistant.chat import ChatService
from assistant.runtime import Services
from assistant.settings import Settings
from assistant.web import routes as web_routes


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    services = services or Services(settings or Settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        services.close()

    app = FastAPI(title="Portside", version="0.1.0", lifespan=lifespan,
                  description="Multilingual customer-service assistant for cross-border e-commerce.")
    app.state.services = services
    app.state.chat = ChatService(services)
    s = services.settings
    app.state.rate_limiter = RateLimiter(s.rate_limit_session, s.rate_limit_ip, s.rate_limit_storage)
    install_error_handlers(app)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, object]:
        return {"status": "ok", "store": services.store.counts()}

    app.include_router(orders.router)
    app.include_router(chat.router)
    app.include_router(live.router)
    app.include_router(web_routes.router)
    app.include_router(staff.router)
    app.include_router(staff.public)
    return app
