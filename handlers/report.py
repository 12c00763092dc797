"""提单 by chat: category, description, photos, place, confirm — or a rider's three taps.

Whatever the reporter sends is used where it fits (a photo is a photo at any step); the dialog
then asks for the first thing still missing. Residents are asked step by step; a roaming
reporter (rider) files as soon as a place and a category are known: photo → pin → one tap.
Each question is entered in the dialog's history, so "back" asks the one before again, showing
what was given and offering to keep it.
"""
from __future__ import annotations

from domain.routing import Route
from handlers import actions, catalogue, moments, reporter_phone, texts, use_cases
from handlers.actions import Action
from handlers.dialog import Turn, back_choice, choices
from handlers.messages import Choice, Kind
from handlers.names import filed_notice, place_of
from handlers.onboarding import RIDER, consenting, example_place, next_steps
from handlers.routes import Router
from handlers.stored import stored_id
from handlers.use_cases import Draft

COMMON = ("H01", "X01", "S01", "S02", "P03", "P02", "J02", "H03")
RESIDENT_ORDER = ("category", "description", "photos", "location", "confirm")
RIDER_ORDER = ("location", "category", "file")
NO_PLACE = "none"              # 都不是, among the addresses offered
router = Router()


def draft_of(turn: Turn) -> Draft:
    return Draft(**turn.dialog.data.get("draft", {}))


def keep(turn: Turn, draft: Draft) -> None:
    # Flat fields and one list of strings: a shallow copy does what `asdict`'s deep one did.
    turn.dialog.data["draft"] = {**vars(draft), "photos": list(draft.photos)}


def asked(turn: Turn) -> set[str]:
    """The questions asked on the way here (going back un-asks the one left)."""
    return turn.dialog.asked("expecting")


def is_rider(turn: Turn) -> bool:
    return turn.person is not None and turn.person.kind == RIDER


@router.command("report")
async def begin(turn: Turn) -> None:
    if turn.person is None or turn.person.consent_at is None:
        turn.say(texts.NEED_CONSENT)
        return
    turn.dialog.reset()
    await advance(turn, Draft())


@router.button(actions.Menu)
async def menu(turn: Turn, action: actions.Menu) -> None:
    from handlers import agenda_dialogs, queries
    target = {"report": begin, "my": queries.my_orders, "grid": queries.my_grid,
              "agenda": agenda_dialogs.show_list}.get(action.item)
    if target is None:
        raise actions.ForeignButton()
    await target(turn)


@router.step("idle")
async def idle(turn: Turn) -> None:
    """Outside any dialog, a photo, a pin or a sentence starts a report."""
    if turn.person is None or turn.person.consent_at is None:
        turn.say(texts.NEED_CONSENT)
        return
    if turn.inbound.kind is Kind.TEXT and len(turn.inbound.text.strip()) < 2:
        turn.say(texts.NOT_UNDERSTOOD)
        return
    await take_input(turn, Draft(), expecting="category")


@router.step("report")
async def in_report(turn: Turn) -> None:
    await take_input(turn, draft_of(turn), turn.dialog.data.get("expecting", "category"))


async def take_input(turn: Turn, draft: Draft, expecting: str) -> None:
    inbound, text = turn.inbound, turn.inbound.text.strip()
    phone = await reporter_phone.taken(turn, expecting)   # the phone step (a shared contact)
    if phone is not None:
        if phone == reporter_phone.ADVANCE:
            await advance(turn, draft)
        return
    if inbound.kind is Kind.PHOTO:
        if not take_photo(turn, draft, expecting):
            return
    elif inbound.kind is Kind.VOICE and not text:
        draft.voice = inbound.photo                 # the transport's stored voice note
        draft.description = draft.description or texts.VOICE_ONLY
        turn.say(texts.VOICE_SAVED)
    elif inbound.kind is Kind.LOCATION:
        assert inbound.lat is not None and inbound.lng is not None   # a location carries both
        place(turn, draft, turn.deps.router.route_point(inbound.lat, inbound.lng, inbound.gcj02),
              lat_lng=(inbound.lat, inbound.lng, inbound.gcj02))
    elif inbound.kind in (Kind.TEXT, Kind.VOICE) and text:
        if turn.deps.taxonomy.is_emergency_text(text):
            warn_emergency(turn)
        if expecting in ("location", "pick"):
            await offer_addresses(turn, draft, text)
            return
        if not draft.description or expecting == "description":
            draft.description = text
        if draft.category is None or expecting == "category":
            await suggest(turn, draft, text)
            return
    await advance(turn, draft)


def take_photo(turn: Turn, draft: Draft, expecting: str) -> bool:
    """Keep a photo (up to the limit); False while the photo question waits for more."""
    most, caption = turn.deps.limits.max_photos, turn.inbound.text.strip()
    if caption and not draft.description:
        draft.description = caption
    if len(draft.photos) >= most:
        turn.say(texts.PHOTOS_FULL.format(n=most))
        return True
    assert turn.inbound.photo is not None   # asked for a PHOTO, which carries its path
    draft.photos.append(turn.inbound.photo)
    n = len(draft.photos)
    if expecting == "photos" and n < most:
        # An album arrives one photo per update: wait for the next one, or for 完成.
        keep(turn, draft)
        turn.say(texts.PHOTO_MORE.format(n=n, left=most - n),
                 _done_buttons(turn, texts.PHOTOS_DONE))
        return False
    turn.say(texts.PHOTO_SAVED.format(n=n))
    return True


def place(turn: Turn, draft: Draft, found: Route,
          lat_lng: tuple[float | None, float | None, bool] | None = None) -> None:
    if lat_lng is not None:
        lat, lng, gcj02 = lat_lng
        if gcj02:
            from domain.geo import gcj02_to_wgs84
            assert lat is not None and lng is not None   # a LOCATION carries its point
            lat, lng = gcj02_to_wgs84(lat, lng)
        draft.lat, draft.lng = lat, lng
    draft.grid = None if found.fallback or found.grid is None else found.grid.code
    draft.queue = found.fallback
    if found.fallback:
        turn.say(texts.OUTSIDE_AREA if lat_lng else texts.NO_ADDRESS_MATCH)


async def offer_addresses(turn: Turn, draft: Draft, text: str) -> None:
    draft.address = text
    found = turn.deps.router.route_address(text)
    keep(turn, draft)
    if not found.candidates:
        place(turn, draft, found)
        await advance(turn, draft)
        return
    turn.dialog.enter("report", passing=True, expecting="pick")
    turn.say(texts.PICK_ADDRESS, choices(*((c.name, actions.Pick(c.code)) for c in found.candidates[:4]),
                                         (texts.NONE_OF_THESE, actions.Pick(NO_PLACE)),
                                         *back_choice(turn), (texts.CANCEL, actions.Cancel())))


@router.button(actions.Pick)
async def pick_place(turn: Turn, action: actions.Pick) -> None:
    if not moments.at_step(turn, "report"):
        raise moments.step_ended("pick")
    draft = draft_of(turn)
    tree = turn.deps.router.tree
    if action.place in tree:
        draft.grid, draft.queue = action.place, None
    else:
        found = turn.deps.router.route_address("")
        place(turn, draft, found)
    await advance(turn, draft)


async def suggest(turn: Turn, draft: Draft, text: str) -> None:
    keep(turn, draft)
    suggested = turn.deps.taxonomy.suggest(text, limit=3)
    turn.dialog.enter("report", expecting="category")
    if not suggested:
        await ask_category(turn)
        return
    turn.say(texts.SUGGESTED, choices(*((c.label, actions.Category(c.code)) for c, _ in suggested),
                                      (texts.MORE_CATEGORIES, actions.Categories()),
                                      *back_choice(turn), (texts.CANCEL, actions.Cancel())))


async def ask_category(turn: Turn) -> None:
    taxonomy, draft = turn.deps.taxonomy, draft_of(turn)
    given = (texts.CURRENT_VALUE.format(value=taxonomy.get(draft.category).label) + "\n"
             if draft.category else "")
    kept = ((texts.KEEP, actions.Skip()),) if draft.category else ()
    turn.say(given + texts.ASK_CATEGORY,
             choices(*((taxonomy.get(c).name, actions.Category(c)) for c in COMMON),
                     (texts.MORE_CATEGORIES, actions.Categories()), *kept, *back_choice(turn),
                     (texts.CANCEL, actions.Cancel())))


@router.button(actions.Categories)
async def browse_categories(turn: Turn, action: actions.Categories) -> None:
    """更多类别: the top levels, then one's categories; each a question "back" leaves."""
    if not moments.at_step(turn, "report"):
        raise moments.step_ended("category")
    top = action.top if action.top in turn.deps.taxonomy.top_levels() else ""
    turn.dialog.enter("report", expecting="category", top=top)
    list_categories(turn, top)


def list_categories(turn: Turn, top: str) -> None:
    taxonomy = turn.deps.taxonomy
    listed = ([(c.name, actions.Category(c.code)) for c in taxonomy.children(top)] if top
              else [(name, actions.Categories(name)) for name in taxonomy.top_levels()])
    turn.say(texts.ASK_CATEGORY, choices(*listed, *back_choice(turn),
                                         (texts.CANCEL, actions.Cancel())))


@router.button(actions.Category)
async def choose_category(turn: Turn, action: actions.Category) -> None:
    if not moments.at_step(turn, "report"):
        raise moments.step_ended("category")
    draft = draft_of(turn)
    if action.category not in turn.deps.taxonomy:
        await ask_category(turn)
        return
    draft.category = action.category
    turn.dialog.data.pop("top", None)
    if turn.deps.taxonomy.get(action.category).urgency.value == "emergency":
        warn_emergency(turn)
    await advance(turn, draft)


def warn_emergency(turn: Turn) -> None:
    if not turn.dialog.data.get("warned"):
        turn.dialog.data["warned"] = True
        turn.say(texts.EMERGENCY)


@router.button(actions.Skip)
async def skip(turn: Turn, action: actions.Skip) -> None:
    if not moments.at_step(turn, "report"):
        raise moments.step_ended("skip")
    await advance(turn, draft_of(turn))


async def advance(turn: Turn, draft: Draft) -> None:
    """Ask for the first thing still missing; a rider's report files itself when complete."""
    need = next_need(turn, draft)
    if need in ("confirm", "file"):
        await _near_duplicate_or(turn, draft, confirm=need == "confirm")
        return
    keep(turn, draft)
    turn.dialog.enter("report", expecting=need)
    await ask(turn, draft, need)


def next_need(turn: Turn, draft: Draft) -> str:
    done = asked(turn)
    for need in RIDER_ORDER if is_rider(turn) else RESIDENT_ORDER:
        if need == "category" and draft.category is None:
            return need
        if need == "description" and not draft.description and need not in done:
            return need
        if need == "photos" and need not in done \
                and len(draft.photos) < turn.deps.limits.max_photos:
            return need
        if need == "location" and not draft.placed:
            return need
        if need in ("confirm", "file"):
            return need
    return "confirm"


async def ask(turn: Turn, draft: Draft, need: str) -> None:
    """The question for `need`; what was already given is shown and may be kept."""
    if need == "category":
        await ask_category(turn)
    elif need == "description":
        given = (texts.CURRENT_VALUE.format(value=draft.description) + "\n"
                 if draft.description else "")
        turn.say(given + texts.ASK_DESCRIPTION,
                 _done_buttons(turn, texts.KEEP if draft.description else texts.SKIP))
    elif need == "photos":
        most, n = turn.deps.limits.max_photos, len(draft.photos)
        if n:
            turn.say(texts.PHOTOS_SO_FAR.format(n=n, left=most - n),
                     _done_buttons(turn, texts.PHOTOS_DONE))
        else:
            turn.say(texts.ASK_PHOTOS.format(n=most), _done_buttons(turn, texts.SKIP))
    elif need == reporter_phone.STEP:
        reporter_phone.ask(turn)
    elif need in ("location", "pick"):
        given = (texts.CURRENT_VALUE.format(value=_where(turn, draft)) + "\n"
                 if draft.placed else "")
        kept = ((texts.KEEP, actions.Skip()),) if draft.placed else ()
        how = catalogue.for_channel(texts.LOCATION_HOW, turn.inbound.sender.channel)
        turn.say(given + texts.ASK_LOCATION.format(example=example_place(turn), how=how),
                 choices(*kept, *_home(turn, draft), *back_choice(turn),
                         (texts.CANCEL, actions.Cancel())))


def _home(turn: Turn, draft: Draft) -> tuple[tuple[str, Action], ...]:
    """The home given at onboarding, one tap away (unless the report is already placed)."""
    home = turn.person.home_grid if turn.person is not None else None
    tree = turn.deps.router.tree
    if home is None or home not in tree or draft.placed:
        return ()
    return ((tree.get(home).name, actions.Pick(home)),)


def _done_buttons(turn: Turn, done: str) -> list[Choice]:
    return choices((done, actions.Skip()), *back_choice(turn), (texts.CANCEL, actions.Cancel()))


@router.revisit("report")
async def ask_again(turn: Turn) -> None:
    """Back at a question of the report: asked again with what was given."""
    draft, need = draft_of(turn), turn.dialog.data.get("expecting", "category")
    if need == "category" and "top" in turn.dialog.data:
        list_categories(turn, turn.dialog.data["top"])     # back up to a list of categories
        return
    if need in ("confirm", "metoo"):
        await _near_duplicate_or(turn, draft, confirm=need == "confirm" or not is_rider(turn))
        return
    await ask(turn, draft, need)


def _where(turn: Turn, draft: Draft) -> str:
    return (turn.deps.router.tree.get(draft.grid).name if draft.grid
            else draft.address or texts.QUEUE_MANUAL)


async def _near_duplicate_or(turn: Turn, draft: Draft, confirm: bool) -> None:
    keep(turn, draft)
    same = await use_cases.nearby_duplicate(turn, draft)
    if same is not None and not turn.dialog.data.get("not_same"):
        turn.dialog.enter("report", passing=True, expecting="metoo")
        turn.say(texts.SAME_ISSUE.format(code=same.code, place=place_of(turn, same),
                                         state=catalogue.label(same.state)),
                 choices((texts.METOO_YES, actions.MeToo(same.code)),
                         (texts.METOO_NO, actions.MeToo()), *back_choice(turn)))
        return
    if not confirm:
        await file(turn, draft)
        return
    if reporter_phone.STEP not in asked(turn) and reporter_phone.wanted(turn):
        # After the me-too offer (a follower leaves no number), before the summary.
        turn.dialog.enter("report", expecting=reporter_phone.STEP)
        reporter_phone.ask(turn)
        return
    turn.dialog.enter("report", expecting="confirm")
    category = turn.deps.taxonomy.get(draft.category)
    turn.say(texts.SUMMARY.format(category=category.label, description=draft.description or texts.NO_TEXT,
                                  photos=len(draft.photos), place=_where(turn, draft)),
             choices((texts.CONFIRM, actions.Confirm()), *back_choice(turn),
                     (texts.CANCEL, actions.Cancel())))


@router.button(actions.MeToo)
async def metoo(turn: Turn, action: actions.MeToo) -> None:
    if not action.code and not moments.at_step(turn, "report"):
        raise moments.step_ended("metoo")    # (a 同一个问题 outside its report: me_too refuses)
    draft = draft_of(turn)
    if not action.code:
        turn.dialog.data["not_same"] = True
        await _near_duplicate_or(turn, draft, confirm=not is_rider(turn))
        return
    # Checked at the press: the button's code proves nothing (codes count up by day).
    pending = draft_of(turn) if turn.dialog.step == "report" else None
    order = await use_cases.me_too(turn, turn.person, action.code, pending)
    turn.dialog.reset()
    turn.say(texts.METOO_DONE.format(code=order.code), await next_steps(turn))


@router.button(actions.Confirm)
async def confirm(turn: Turn, action: actions.Confirm) -> None:
    if not moments.at_step(turn, "report"):
        raise moments.step_ended("confirm")
    draft = draft_of(turn)
    if draft.category is None or not draft.placed:
        await advance(turn, draft)
        return
    await file(turn, draft)


async def file(turn: Turn, draft: Draft) -> None:
    person = consenting(turn)
    if await use_cases.orders_per_hour(turn, stored_id(person)) >= turn.deps.limits.orders_per_hour:
        turn.dialog.reset()
        turn.say(texts.RATE_LIMITED.format(n=turn.deps.limits.orders_per_hour))
        return
    order = await use_cases.file_order(turn, stored_id(person), draft)
    turn.dialog.reset()
    # Who holds it now, and its real deadline; then what the reporter may do next.
    turn.say(await filed_notice(turn, order), await next_steps(turn))
