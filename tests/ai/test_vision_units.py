"""Vision without a server: bounding images, merging image turns, each provider's parts."""

from __future__ import annotations

import base64
import io

from PIL import Image

from baton.ai.person_offer import CANNOT_SEE_IMAGES, WAITING_CANNOT_SEE_IMAGES
from baton.ai.providers.base import ChatMessage, ChatRequest, ImageInput, normalise_turns
from baton.ai.providers.builtin import TALK_TO_PERSON, compose
from baton.ai.vision import MAX_BYTES, MAX_SIDE, attached_line, bound_image


def _encoded(image: Image.Image, fmt: str, **options: object) -> io.BytesIO:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    out.seek(0)
    return out


def test_a_small_png_jpeg_or_webp_goes_as_it_is() -> None:
    for fmt, media_type in (("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")):
        source = _encoded(Image.new("RGB", (300, 200), "blue"), fmt)
        raw = source.getvalue()
        assert bound_image(source, media_type, len(raw)) == (media_type, raw)


def test_large_images_are_downscaled_keeping_transparency() -> None:
    flat = _encoded(Image.new("RGB", (4000, 1000), "white"), "PNG")
    media_type, data = bound_image(flat, "image/png", len(flat.getvalue())) or ("", b"")
    with Image.open(io.BytesIO(data)) as seen:
        assert media_type == "image/jpeg" and seen.size == (MAX_SIDE, 392)
    clear = _encoded(Image.new("RGBA", (2000, 3000), (0, 0, 0, 0)), "PNG")
    media_type, data = bound_image(clear, "image/png", len(clear.getvalue())) or ("", b"")
    with Image.open(io.BytesIO(data)) as seen:
        assert media_type == "image/png" and seen.mode == "RGBA"
        assert max(seen.size) == MAX_SIDE and len(data) <= MAX_BYTES


def test_a_gif_becomes_a_png_of_its_first_frame() -> None:
    frames = [Image.new("P", (40, 30), n) for n in (1, 2)]
    source = io.BytesIO()
    frames[0].save(source, "GIF", save_all=True, append_images=frames[1:])
    source.seek(0)
    bounded = bound_image(source, "image/gif", len(source.getvalue()))
    assert bounded is not None and bounded[0] in ("image/png", "image/jpeg")
    with Image.open(io.BytesIO(bounded[1])) as seen:
        assert seen.size == (40, 30) and not getattr(seen, "is_animated", False)


def test_what_pillow_cannot_read_as_the_sniffed_type_is_not_sent() -> None:
    assert bound_image(io.BytesIO(b"\x89PNG\r\n\x1a\nbroken"), "image/png", 16) is None
    jpeg = _encoded(Image.new("RGB", (10, 10)), "JPEG")
    assert bound_image(jpeg, "image/png", len(jpeg.getvalue())) is None  # not what it said


def test_files_read_as_one_line_each() -> None:
    assert attached_line("a.pdf", "application/pdf", 2_500_000) == (
        "[attached: a.pdf (application/pdf, 2.4 MB)]"
    )
    assert attached_line("b.txt", "text/plain", 3000, expired=True) == (
        "[attached: b.txt (text/plain, 3 KB, expired)]"
    )


PIXEL = ImageInput("image/png", b"\x89PNG-fake", "p.png")


def test_image_turns_merge_and_keep_their_images() -> None:
    turns = normalise_turns(
        [
            ChatMessage("user", "", (PIXEL,)),
            ChatMessage("user", "what is this?"),
            ChatMessage("assistant", "A pixel."),
        ]
    )
    assert turns == [ChatMessage("user", "what is this?", (PIXEL,)), turns[1]]


def test_each_provider_formats_images_its_own_way() -> None:
    # imported here: the three SDKs take seconds to import, and every pytest worker of every
    # stage collects this module (the server imports an SDK only when a provider needs it)
    from baton.ai.providers.anthropic_messages import message_of as anthropic_message
    from baton.ai.providers.gemini import content_of
    from baton.ai.providers.openai_chat import message_of as openai_message

    turn = ChatMessage("user", "look", (PIXEL,))
    encoded = base64.b64encode(PIXEL.data).decode()
    assert openai_message(turn) == {
        "role": "user",
        "content": [
            {"type": "text", "text": "look"},
            {
                "type": "image_url",
                "image_url": {"url": f"data:image/png;base64,{encoded}", "detail": "auto"},
            },
        ],
    }
    assert anthropic_message(turn) == {
        "role": "user",
        "content": [
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": encoded},
            },
            {"type": "text", "text": "look"},
        ],
    }
    content = content_of(ChatMessage("user", "", (PIXEL,)))
    assert content.parts is not None and len(content.parts) == 1
    blob = content.parts[0].inline_data
    assert blob is not None and (blob.mime_type, blob.data) == ("image/png", PIXEL.data)
    # no images: the plain string content every provider took before
    assert openai_message(ChatMessage("user", "hi")) == {"role": "user", "content": "hi"}


def test_the_builtin_says_it_cannot_see_images() -> None:
    request = ChatRequest(system="", messages=[], question="", question_images=1)
    text, answer = compose(request)
    assert (text, answer.answered, answer.suggestions) == (
        CANNOT_SEE_IMAGES,
        False,
        [TALK_TO_PERSON],
    )
    waiting = ChatRequest(system="", messages=[], question="", question_images=2, waiting=True)
    text, answer = compose(waiting)
    assert (text, answer.suggestions) == (WAITING_CANNOT_SEE_IMAGES, [])


def test_decoding_is_bounded() -> None:
    huge = _encoded(Image.new("1", (6000, 5000)), "PNG")  # 30 megapixels, a tiny file
    assert bound_image(huge, "image/png", len(huge.getvalue())) is None
