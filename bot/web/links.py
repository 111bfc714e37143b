"""The link pages: `GET /a/<token>` shows one action or invitation and its forms; only a POST
with the page's CSRF token changes anything, through the same use cases the commands run.

Mail scanners open links, so a GET reads and never writes. Every change is made by
`Core.perform` as the link's person, so the audit trail names them; what it sends goes to
the outbox in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from bot.email.compose import MARKING, plain_name
from bot.render import Renderer, tidy
from bot.web.limits import RateLimit
from commands.actions.follow_up import accept_action, add_progress, ask_for_time, complete_action
from commands.context import Context
from commands.core import Core
from commands.documents.filters import QuietUndefined, install_filters
from commands.documents.views import action_view, meeting_view
from commands.email.links import (
    LIFETIME,
    Target,
    csrf_ok,
    csrf_token,
    find_link,
    fresh_allowed,
    state_of,
    target_of,
)
from commands.errors import CommandError
from commands.governance.guard import guard_text
from commands.language.dates import DateError, parse_date
from commands.language.grammar import clean_text
from commands.meetings.attendance import attend_meeting, send_apologies
from commands.messages import Message, Recipient, UserRef
from commands.messages import Request as CoreRequest
from commands.outbox.queue import enqueue
from storage.db import Store
from storage.models import LinkToken, Workspace

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
MAX_FORM = 16_000
ACTION_OPS = ("accept", "done", "progress", "extend")
INVITATION_OPS = ("attend", "apologies")
FIELDS: dict[str, list[tuple[str, str, str, bool]]] = {
    "accept": [],
    "done": [("note", "l_note_done", "textarea", False)],
    "progress": [("note", "l_note", "textarea", True)],
    "extend": [("due", "l_due", "date", True), ("reason", "l_reason", "textarea", True)],
    "attend": [],
    "apologies": [
        ("reason", "l_apology", "textarea", False),
        ("deputy", "l_deputy", "email", False),
    ],
}
HINTS = {"accept": "f_accept_hint", "extend": "f_extend_hint", "apologies": "f_apologies_hint"}


class NoDirectory:
    """The link pages name people by email address or known name only, never by mention."""

    def resolve(self, token: str) -> UserRef | None:
        """No platform mentions here."""
        del token
        return None


@dataclass
class Limits:
    """Rate limits: per link token, per client address, and fresh links per person."""

    per_token: RateLimit = field(default_factory=lambda: RateLimit(30, 600))
    per_address: RateLimit = field(default_factory=lambda: RateLimit(120, 600))
    fresh: RateLimit = field(default_factory=lambda: RateLimit(3, 3600))


@dataclass(frozen=True)
class Loaded:
    """What a page shows about its link, read in one transaction."""

    link_id: int
    person_id: int
    state: str
    csrf: str
    context: dict[str, Any]
    request: CoreRequest | None


class LinkPages:
    """Renders and handles the link pages."""

    def __init__(self, store: Store, core: Core, clock: Clock, limits: Limits | None = None):
        self.store = store
        self.core = core
        self.clock = clock
        self.limits = limits or Limits()
        self.env = Environment(
            loader=PackageLoader("meeting_templates", ""),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.words = Environment(
            loader=PackageLoader("meeting_templates", ""),
            undefined=QuietUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,  # noqa: S701 - words for the autoescaping page template
        )
        install_filters(self.words, plain_name)
        self.replies = Renderer(mention=plain_name)

    # Words -----------------------------------------------------------------------------------

    def say(self, name: str, /, **context: Any) -> str:
        """One phrase of links.j2 (dates in `zone`, default the UK's)."""
        zone = str(context.pop("zone", "Europe/London"))
        template = self.words.get_template("links.j2")
        text = template.render(message=name, zone=ZoneInfo(zone), days=LIFETIME.days, **context)
        return " ".join(tidy(text).split())

    def page(self, status: int = 200, **context: Any) -> HTMLResponse:
        """The page, never cached, never framed."""
        html = self.env.get_template("link_page.html.j2").render(marking=MARKING, **context)
        response = HTMLResponse(html, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def problem_page(self, name: str, status: int, **context: Any) -> HTMLResponse:
        """A page that explains why the link does nothing."""
        return self.page(status, heading=self.say("heading_problem"), explain=self.say(name))

    # Reading ---------------------------------------------------------------------------------

    def load(self, raw: str) -> Loaded | None:
        """The link's page as of now, read only; None for a token we never issued."""
        now = self.clock()
        with self.store.transaction(now) as session:
            link = find_link(session, raw)
            if link is None:
                return None
            target = target_of(session, link)
            workspace = session.get(Workspace, link.workspace_id)
            assert workspace is not None
            person = target.person
            zone = person.timezone or workspace.timezone
            today = now.astimezone(ZoneInfo(zone)).date()
            context = self._context(target, today, zone)
            request = CoreRequest(
                platform=workspace.platform,
                workspace=workspace.external_id,
                user=UserRef(person.external_id, person.display_name, person.timezone),
                channel=target.meeting.channel,
                text="",
                now=now,
            )
            return Loaded(
                link.id, person.id, state_of(link, target, now), csrf_token(link), context, request
            )

    def _context(self, target: Target, today: date, zone: str) -> dict[str, Any]:
        meeting = meeting_view(target.meeting, today)
        context: dict[str, Any] = {"meeting": meeting, "zone": zone}
        if target.action is not None:
            context["action"] = action_view(target.action, today)
        else:
            assert target.invitation is not None
            context["rsvp"] = target.invitation.rsvp
            context["person"] = target.person.display_name
        return context

    def _item(self, loaded: Loaded) -> list[tuple[str, str]]:
        c = loaded.context
        zone = c["zone"]
        meeting = c["meeting"]
        meeting_line = f"{meeting.ref} {meeting.title}"
        when = self.words.from_string("{{ m.starts_at | when }}").render(
            m=meeting, zone=ZoneInfo(zone)
        )
        if "action" in c:
            action = c["action"]
            rows = [(self.say("i_what"), action.description)]
            if action.measure:
                rows.append((self.say("i_measure"), action.measure))
            rows += [
                (self.say("i_due"), self.say_day(action.due)),
                (self.say("i_status"), self.say("status", zone=zone, action=action)),
                (self.say("i_meeting"), meeting_line),
            ]
            return rows
        return [
            (self.say("i_meeting"), meeting_line),
            (self.say("i_when"), f"{when} ({zone})"),
            (self.say("i_chair"), plain_name(meeting.chair)),
            (self.say("i_for"), c["person"]),
            (self.say("i_reply"), c["rsvp"]),
        ]

    def say_day(self, value: date) -> str:
        """A date as the chat shows it."""
        return self.words.from_string("{{ d | day }}").render(d=value)

    def _forms(self, raw: str, loaded: Loaded, chosen: str | None) -> list[dict[str, Any]]:
        c = loaded.context
        if "action" in c:
            ops = [op for op in ACTION_OPS if not (op == "accept" and c["action"].accepted)]
        else:
            ops = list(INVITATION_OPS)
        if chosen in ops:
            ops.remove(chosen)
            ops.insert(0, chosen)
        return [
            {
                "op": op,
                "action": f"/a/{raw}",
                "chosen": op == chosen,
                "title": self.say(f"f_{op}"),
                "hint": self.say(HINTS[op]) if op in HINTS else "",
                "button": self.say(f"b_{op}"),
                "fields": [
                    {"name": name, "label": self.say(label), "kind": kind, "required": required}
                    for name, label, kind, required in FIELDS[op]
                ],
            }
            for op in ops
        ]

    def show(
        self,
        raw: str,
        loaded: Loaded,
        *,
        chosen: str | None = None,
        done_text: str = "",
        problem: str = "",
        status: int = 200,
    ) -> HTMLResponse:
        """The page of an open link, or the explanation of a closed one."""
        c = loaded.context
        heading = self.say("heading_action" if "action" in c else "heading_invitation", **c)
        if loaded.state != "open":
            closed = "closed_action" if "action" in c else "closed_meeting"
            name = closed if loaded.state == "closed" else loaded.state
            fresh = loaded.state in {"expired", "used"} and not (
                "action" in c and c["action"].status != "open"
            )
            forms = []
            if fresh:
                forms = [
                    {
                        "op": "fresh",
                        "action": f"/a/{raw}/fresh",
                        "chosen": False,
                        "title": self.say("fresh_title"),
                        "hint": "",
                        "button": self.say("fresh_button"),
                        "fields": [],
                    }
                ]
            return self.page(
                status,
                heading=heading,
                explain=self.say(name, **c),
                done_text=done_text,
                problem=problem,
                item=self._item(loaded),
                forms=forms,
                csrf=loaded.csrf,
            )
        return self.page(
            status,
            heading=heading,
            done_text=done_text,
            problem=problem,
            item=self._item(loaded),
            forms=self._forms(raw, loaded, chosen),
            csrf=loaded.csrf,
        )

    # Changing --------------------------------------------------------------------------------

    def act(self, raw: str, loaded: Loaded, form: dict[str, str]) -> tuple[str, str]:
        """Run the form's use case as the link's person: (done text, problem text)."""
        op = form.get("op", "")
        c = loaded.context
        allowed = ACTION_OPS if "action" in c else INVITATION_OPS
        if op not in allowed or loaded.request is None:
            return "", self.say("csrf")
        link_id = loaded.link_id
        answer: dict[str, Any] = {}

        def use_case(ctx: Context) -> None:
            link = ctx.session.get(LinkToken, link_id, with_for_update=True)
            assert link is not None
            target = target_of(ctx.session, link)
            if ctx.caller.id != link.person_id or state_of(link, target, ctx.now) != "open":
                raise CommandError("link_closed")
            texts = {k: clean_text(form.get(k, ""), limit=2000) for k in ("note", "reason")}
            guard_text(ctx, texts["note"], texts["reason"])
            if target.action is not None:
                action = target.action
                if op == "accept":
                    accept_action(ctx, action)
                elif op == "done":
                    complete_action(ctx, action, texts["note"])
                    link.used_at = ctx.now
                elif op == "progress":
                    add_progress(ctx, action, texts["note"])
                else:
                    ask_for_time(ctx, action, self._due(ctx, form.get("due", "")), texts["reason"])
                    answer["chair"] = action.meeting.chair.display_name
                return
            deputy = clean_text(form.get("deputy", ""), limit=320) or None
            if op == "attend":
                attend_meeting(ctx, target.meeting)
            else:
                send_apologies(ctx, target.meeting, texts["reason"], deputy)
                answer["deputy"] = deputy

        messages = self.core.perform(loaded.request, NoDirectory(), use_case)
        failed = [m for m in messages if m.template.startswith("errors:")]
        if failed:
            return "", self._problem_text(failed[0])
        return self.say(f"ok_{op}", **c, **answer), ""

    @staticmethod
    def _due(ctx: Context, text: str) -> date:
        try:
            return parse_date(text.strip(), ctx.today, ctx.calendar)
        except DateError as error:
            raise CommandError("bad_when", problem=error.message, example="2027-02-19") from None

    def _problem_text(self, message: Message) -> str:
        if message.template == "errors:link_closed":
            return self.say("csrf")
        return " ".join(self.replies.render(message).replace("`", "").split())

    def fresh(self, loaded: Loaded) -> str:
        """Email the link's person a new link to the same thing; the page's words."""
        now = self.clock()
        if not self.limits.fresh.allow(f"person:{loaded.person_id}"):
            return self.say("fresh_refused")
        with self.store.transaction(now, actor_id=loaded.person_id) as session:
            link = session.get(LinkToken, loaded.link_id)
            assert link is not None
            if not fresh_allowed(session, link, now):
                return self.say("fresh_refused")
            target = target_of(session, link)
            workspace = session.get(Workspace, link.workspace_id)
            assert workspace is not None
            person = target.person
            zone = person.timezone or workspace.timezone
            today = now.astimezone(ZoneInfo(zone)).date()
            context: dict[str, Any] = {"meeting": meeting_view(target.meeting, today)}
            if target.action is not None:
                context["action"] = action_view(target.action, today)
            message = Message(
                audience="dm",
                template="links:fresh",
                context=context,
                zone=zone,
                recipient=Recipient(person.external_id, person.display_name),
                kind="action_card" if target.action is not None else "invitation",
            )
            enqueue(
                session,
                workspace,
                message,
                key=f"fresh:{link.id}:{now.isoformat()}",
                now=now,
                action_id=target.action.id if target.action is not None else None,
                person_id=person.id,
            )
        return self.say("fresh_sent")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _same_origin(request: Request) -> bool:
    """A form posted from another site is refused, by the browser's own word where it gives one.

    `Sec-Fetch-Site` first (sent even when the page asks for no referrer, where `Origin` is
    `null`), then `Origin`; a client sending neither is let through to the CSRF check.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


async def _form(request: Request) -> dict[str, str] | None:
    """A small urlencoded form, or None when it is anything else."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return None
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in parsed.items() if v}


def link_routes(
    store: Store, core: Core, clock: Clock, *, limits: Limits | None = None
) -> list[BaseRoute]:
    """`GET|POST /a/<token>` and `POST /a/<token>/fresh` on the server's app."""
    pages = LinkPages(store, core, clock, limits)

    def limited(request: Request, raw: str) -> bool:
        return not (
            pages.limits.per_token.allow(f"token:{raw[:64]}")
            and pages.limits.per_address.allow(f"addr:{_client(request)}")
        )

    async def link(request: Request) -> Response:
        raw = request.path_params["token"]
        if limited(request, raw):
            return pages.problem_page("limited", 429)
        loaded = await run_in_threadpool(pages.load, raw)
        if loaded is None:
            return pages.problem_page("forged", 404)
        if request.method == "GET":
            chosen = request.query_params.get("do")
            return pages.show(raw, loaded, chosen=chosen)
        form = await _form(request)
        if form is None or not _same_origin(request):
            return pages.show(raw, loaded, problem=pages.say("csrf"), status=400)
        if not await run_in_threadpool(_csrf_holds, store, clock, raw, form.get("csrf", "")):
            return pages.show(raw, loaded, problem=pages.say("csrf"), status=403)
        if loaded.state != "open":
            return pages.show(raw, loaded, status=410)
        done_text, problem = await run_in_threadpool(pages.act, raw, loaded, form)
        after = await run_in_threadpool(pages.load, raw)
        assert after is not None
        return pages.show(
            raw,
            after,
            chosen=form.get("op") if problem else None,
            done_text=done_text,
            problem=problem,
            status=422 if problem else 200,
        )

    async def fresh(request: Request) -> Response:
        raw = request.path_params["token"]
        if limited(request, raw):
            return pages.problem_page("limited", 429)
        loaded = await run_in_threadpool(pages.load, raw)
        if loaded is None:
            return pages.problem_page("forged", 404)
        form = await _form(request)
        if form is None or not _same_origin(request):
            return pages.show(raw, loaded, problem=pages.say("csrf"), status=400)
        if not await run_in_threadpool(_csrf_holds, store, clock, raw, form.get("csrf", "")):
            return pages.show(raw, loaded, problem=pages.say("csrf"), status=403)
        text = await run_in_threadpool(pages.fresh, loaded)
        return pages.show(raw, loaded, done_text=text)

    return [
        Route("/a/{token}", link, methods=["GET", "POST"]),
        Route("/a/{token}/fresh", fresh, methods=["POST"]),
    ]


def _csrf_holds(store: Store, clock: Clock, raw: str, given: str) -> bool:
    with store.transaction(clock()) as session:
        link = find_link(session, raw)
        return link is not None and csrf_ok(link, given)
