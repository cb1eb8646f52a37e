"""The FastAPI application: one factory, services injected, routers added per channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware

from assistant.api import (
    admin,
    chat,
    insights,
    live,
    log_redaction,
    orders,
    platform_webhooks,
    privacy,
    staff,
    webhooks,
)
from assistant.api.body_limit import BodyLimit
from assistant.api.errors import ApiError, install_error_handlers
from assistant.api.ratelimit import RateLimiter
from assistant.chat import ChatService
from assistant.engine.factory import make_engine
from assistant.insights.digest import queue_weekly_digest
from assistant.jobs import Scheduler
from assistant.privacy.retention import run_retention
from assistant.runtime import Services
from assistant.settings import Settings
from assistant.slack.app import enabled as slack_enabled
from assistant.slack.app import install as install_slack
from assistant.slack.app import slack_body_problem
from assistant.tracking.stuck import queue_daily_digest
from assistant.web import routes as web_routes
from assistant.web import staff as staff_web


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    services = services or Services(settings or Settings())

    slack_app = None
    if slack_enabled(services):
        slack_app, _delivery = install_slack(services)
    if services.settings.store != "sql":  # the platform's writes and webhooks are delivered by the outbox
        from assistant.platform import webhooks as platform_hooks

        services.platform_writes  # noqa: B018 - registers its outbox handler
        platform_hooks.install(services)
    scheduler = background_jobs(services, slack=slack_app is not None)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log_redaction.install()  # after the server configured its loggers
        # Load the models and indexes before accepting traffic, so the first shopper does not wait for them.
        await run_in_threadpool(services.warm_up)
        services.outbox.start()
        scheduler.start()
        socket = None
        if slack_app is not None and services.settings.slack_app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            socket = SocketModeHandler(slack_app, services.settings.slack_app_token)
            socket.connect()
        yield
        if socket is not None:
            socket.close()
        scheduler.stop()
        services.outbox.stop()
        services.close()

    app = FastAPI(title="Portside", version="0.1.0", lifespan=lifespan,
                  description="Multilingual customer-service assistant for cross-border e-commerce.")
    app.state.services = services
    app.state.chat = ChatService(services, engine=make_engine(services.settings))
    s = services.settings
    app.state.rate_limiter = RateLimiter(s.rate_limit_session, s.rate_limit_ip, s.resolved_rate_limit_storage)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, default=s.max_body_bytes,  # type: ignore[arg-type]
                       by_prefix={"/slack/": s.max_webhook_body_bytes, "/webhooks/": s.max_webhook_body_bytes})
    # The widget runs on the storefront's domain: let browsers call the shopper endpoints from anywhere.
    app.add_middleware(CORSMiddleware, allow_origins=services.settings.cors_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type", "Last-Event-ID"], allow_credentials=False)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, object]:
        return {"status": "ok", "store": services.store.counts()}

    app.include_router(orders.router)
    app.include_router(chat.router)
    app.include_router(live.router)
    app.include_router(web_routes.router)
    app.include_router(staff_web.router)
    if slack_app is not None:
        from slack_bolt.adapter.fastapi import SlackRequestHandler

        handler = SlackRequestHandler(slack_app)

        @app.post("/slack/events", include_in_schema=False)
        async def slack_events(request: Request) -> Response:
            problem = slack_body_problem(await request.body(), request.headers.get("content-type", ""))
            if problem:  # bolt would fail decoding it with a 500
                raise ApiError(400, "bad_request", problem)
            return await handler.handle(request)  # type: ignore[no-any-return]

    app.include_router(staff.router)
    app.include_router(staff.public)
    app.include_router(privacy.router)
    app.include_router(admin.router)
    app.include_router(insights.router)
    app.include_router(platform_webhooks.router)  # before the trackers' /webhooks/{provider}
    app.include_router(webhooks.router)
    return app


def background_jobs(services: Services, *, slack: bool) -> Scheduler:
    """What each server does in the background; every job's effects are deduplicated in the database."""
    jobs = Scheduler()
    tracking = services.tracking
    if tracking.enabled:
        jobs.every(600, "tracking.register", tracking.register_open)
        jobs.every(3600, "tracking.stalled", tracking.notify_stalled, first_after=60)
        jobs.every(60, "tracking.retry_webhooks", tracking.retry_failed, first_after=30)
    if slack:
        jobs.every(600, "tracking.digest", lambda: queue_daily_digest(services), first_after=30)
        jobs.every(3600, "insights.weekly_digest", lambda: queue_weekly_digest(services), first_after=60)
    if services.settings.retention_days:
        jobs.every(3600, "privacy.retention", lambda: run_retention(services), first_after=120)
    return jobs

