"""Excerpts and themes of the story-sharing room, without a window."""

from __future__ import annotations

import pytest

from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput, NotFound, VaultDamaged, VaultLocked
from storycapture.hub.room import RoomService
from storycapture.services.consent import ConsentService
from storycapture.services.story import StoryWordsService
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, add_consenting_storyteller

TEAM = Author.facilitator("Dana")


@pytest.fixture
def room(vault: VaultSession) -> RoomService:
    return RoomService(vault)


def _quote(vault: VaultSession, person: str, text: str, **kw: object) -> str:
    return StoryWordsService(vault).add_quote(person, text, author=Author.storyteller(), **kw).uuid


def test_an_excerpt_is_theirs_whose_words_it_holds(vault: VaultSession, room: RoomService) -> None:
    person = add_consenting_storyteller(vault)
    quote = _quote(vault, person, "The allotment kept me going that winter.")
    excerpt = room.add_excerpt(
        person, source_kind="quote", source_uuid=quote, marked_by="Dana", start=4, end=13
    )
    assert excerpt.text == "allotment"
    assert excerpt.meta.author == Author.storyteller()  # not Dana's: she only marked it
    assert excerpt.marked_by == "Dana"
    assert excerpt.source.kind == "quote" and (excerpt.source.start, excerpt.source.end) == (4, 13)
    assert room.excerpts() == [excerpt]


def test_an_excerpt_of_a_moment_takes_its_words(vault: VaultSession, room: RoomService) -> None:
    person = add_consenting_storyteller(vault)
    event = TimelineService(vault).add_event(
        person, title="Moved to the coast", words="The sea air helped.", author=FACILITATOR
    )
    excerpt = room.add_excerpt(
        person, source_kind="timeline_event", source_uuid=event.uuid, marked_by="Dana"
    )
    assert excerpt.text == "The sea air helped."
    assert excerpt.meta.author == FACILITATOR


@pytest.mark.parametrize(("start", "end"), [(5, 5), (-1, 3), (3, 999), (9, 2), (0, 1)])
def test_a_span_outside_the_words_is_refused(
    vault: VaultSession, room: RoomService, start: int, end: int
) -> None:
    person = add_consenting_storyteller(vault)
    quote = _quote(vault, person, " Hello there")
    with pytest.raises(InvalidInput):
        room.add_excerpt(
            person, source_kind="quote", source_uuid=quote, marked_by="D", start=start, end=end
        )
    assert room.excerpts() == []


def test_a_private_item_or_another_persons_item_cannot_be_marked(
    vault: VaultSession, room: RoomService
) -> None:
    one = add_consenting_storyteller(vault, "Juniper")
    other = add_consenting_storyteller(vault, "Rowan")
    private = _quote(vault, one, "Just for me.", visibility="private")
    with pytest.raises(InvalidInput, match="private"):
        room.add_excerpt(one, source_kind="quote", source_uuid=private, marked_by="D")
    theirs = _quote(vault, other, "Rowan's words.")
    with pytest.raises(NotFound):
        room.add_excerpt(one, source_kind="quote", source_uuid=theirs, marked_by="D")
    with pytest.raises(InvalidInput):
        room.add_excerpt(one, source_kind="visit", source_uuid=theirs, marked_by="D")


def test_themes_are_named_once_and_coloured_in_turn(room: RoomService) -> None:
    first = room.add_theme("Waiting for help", author=TEAM, description="Months on lists.")
    second = room.add_theme("  Nature   heals ", author=TEAM)
    assert second.name == "Nature heals"
    assert first.colour != second.colour
    with pytest.raises(InvalidInput, match="already"):
        room.add_theme("waiting FOR help", author=TEAM)
    with pytest.raises(InvalidInput):
        room.add_theme("   ", author=TEAM)
    with pytest.raises(InvalidInput):
        room.add_theme("Fine", author=TEAM, colour="red")
    renamed = room.update_theme(first.uuid, name="Waiting, and waiting", author=TEAM)
    assert room.theme_named("waiting, and WAITING").uuid == renamed.uuid
    assert [t.name for t in room.themes()] == ["Waiting, and waiting", "Nature heals"]
    with pytest.raises(NotFound, match="Nature heals"):
        room.theme_named("Housing")


def test_merge_folds_themes_and_unmerge_puts_everything_back(
    vault: VaultSession, room: RoomService
) -> None:
    person = add_consenting_storyteller(vault)
    a = room.add_theme("Waiting", author=TEAM)
    b = room.add_theme("Being passed on", author=TEAM)
    c = room.add_theme("Kindness", author=TEAM)
    q1, q2 = _quote(vault, person, "Eight months."), _quote(vault, person, "Nobody called.")
    e1 = room.add_excerpt(
        person, source_kind="quote", source_uuid=q1, marked_by="D", themes=[a.uuid]
    )
    e2 = room.add_excerpt(
        person, source_kind="quote", source_uuid=q2, marked_by="D", themes=[b.uuid, a.uuid, c.uuid]
    )
    merge = room.merge_themes([b.uuid], a.uuid, author=TEAM)
    assert [t.name for t in room.themes()] == ["Waiting", "Kindness"]
    assert room.excerpt(e1.uuid).themes == (a.uuid,)
    assert room.excerpt(e2.uuid).themes == (a.uuid, c.uuid)  # once, not twice
    room.unmerge(merge, author=TEAM)
    assert [t.name for t in room.themes()] == ["Waiting", "Being passed on", "Kindness"]
    assert room.excerpt(e2.uuid).themes == (b.uuid, a.uuid, c.uuid)


def test_split_moves_the_chosen_notes_to_a_new_theme(
    vault: VaultSession, room: RoomService
) -> None:
    person = add_consenting_storyteller(vault)
    a = room.add_theme("Help", author=TEAM)
    quotes = [_quote(vault, person, f"Words {n}.") for n in range(3)]
    made = [
        room.add_excerpt(person, source_kind="quote", source_uuid=q, marked_by="D", themes=[a.uuid])
        for q in quotes
    ]
    new = room.split_theme(a.uuid, [made[2].uuid], "Help that came late", author=TEAM)
    assert [e.uuid for e in room.excerpts_in(a.uuid)] == [made[0].uuid, made[1].uuid]
    assert [e.uuid for e in room.excerpts_in(new.uuid)] == [made[2].uuid]


def test_a_withdrawal_erases_excerpts_and_leaves_the_theme_empty(
    vault: VaultSession, room: RoomService
) -> None:
    person = add_consenting_storyteller(vault)
    kept = add_consenting_storyteller(vault, "Rowan")
    theme = room.add_theme("Belonging", author=TEAM)
    for who in (person, kept):
        q = _quote(vault, who, "The choir was my family.")
        room.add_excerpt(
            who, source_kind="quote", source_uuid=q, marked_by="D", themes=[theme.uuid]
        )
    ConsentService(vault).withdraw(person, author=FACILITATOR)
    assert [e.storyteller_uuid for e in room.excerpts_in(theme.uuid)] == [kept]
    assert room.theme(theme.uuid).name == "Belonging"
    with vault.read() as session:
        assert session.query(models.ExcerptRow).count() == 1


def test_a_theme_altered_outside_the_app_is_damage(vault: VaultSession, room: RoomService) -> None:
    theme = room.add_theme("Belonging", author=TEAM)
    with vault.edit() as session:
        row = session.get(models.ThemeRow, theme.uuid)
        assert row is not None
        assert b"Belonging" not in row.name  # sealed
        row.deleted = True
    with pytest.raises(VaultDamaged):
        room.themes(include_deleted=True)


def test_locking_drops_the_rooms_key(vault: VaultSession, room: RoomService) -> None:
    room.add_theme("Belonging", author=TEAM)
    assert room.themes()  # the room's key is unwrapped and remembered
    vault.lock()
    assert vault._room is None
    with pytest.raises(VaultLocked):
        room.themes()


def test_the_matrix_counts_excerpts_per_story_and_theme(
    vault: VaultSession, room: RoomService
) -> None:
    import io

    from storycapture.hub.across import theme_matrix, write_matrix_csv

    one = add_consenting_storyteller(vault, "Juniper")
    two = add_consenting_storyteller(vault, "Alder")
    a = room.add_theme("Waiting", author=TEAM)
    b = room.add_theme("Kindness", author=TEAM)
    for who, themes in ((one, [a.uuid]), (one, [a.uuid, b.uuid]), (two, [b.uuid]), (two, [])):
        q = _quote(vault, who, "Some words.")
        room.add_excerpt(who, source_kind="quote", source_uuid=q, marked_by="D", themes=themes)
    matrix = theme_matrix(vault)
    assert [name for _, name in matrix.storytellers] == ["Alder", "Juniper"]
    assert (matrix.count(one, a.uuid), matrix.count(one, b.uuid)) == (2, 1)
    assert (matrix.count(two, a.uuid), matrix.count(two, b.uuid)) == (0, 1)
    assert (matrix.stories_with(a.uuid), matrix.stories_with(b.uuid)) == (1, 2)
    out = io.StringIO()
    write_matrix_csv(matrix, out)
    assert out.getvalue().splitlines() == [
        "Storyteller,Waiting,Kindness",
        "Alder,0,1",
        "Juniper,2,1",
        "Stories with this theme,1,2",
    ]


def test_a_theme_named_with_an_excerpt_is_made_with_it_or_not_at_all(
    vault: VaultSession, room: RoomService
) -> None:
    person = add_consenting_storyteller(vault)
    quote = _quote(vault, person, "A kind word at the bus stop.")
    excerpt = room.add_excerpt(
        person, source_kind="quote", source_uuid=quote, marked_by="Dana", new_theme="Kindness"
    )
    assert [t.name for t in room.themes()] == ["Kindness"]
    assert excerpt.themes == (room.theme_named("Kindness").uuid,)
    with pytest.raises(InvalidInput):  # an empty span: neither the excerpt nor the theme
        room.add_excerpt(
            person,
            source_kind="quote",
            source_uuid=quote,
            marked_by="D",
            start=3,
            end=3,
            new_theme="Strangers",
        )
    assert [t.name for t in room.themes(include_deleted=True)] == ["Kindness"]
    assert len(room.excerpts()) == 1
