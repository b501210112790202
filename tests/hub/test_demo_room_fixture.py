from tests.hub.conftest import DemoRoom


def test_the_demo_room_holds_two_themes_and_three_excerpts(demo_room: DemoRoom) -> None:
    assert [t.name for t in demo_room.room.themes()] == ["Waiting for help", "Nature and outdoors"]
    excerpts = demo_room.room.excerpts()
    assert [e.uuid for e in excerpts] == demo_room.excerpts
    assert all(e.text.strip() for e in excerpts)
