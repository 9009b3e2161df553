"""An input image is checked in the kernel before any upload: a file the API would refuse says why."""

from __future__ import annotations

import pytest
from input_files import BAD_FILES, bomb, gif, jpeg, png, too_large, truncated_png

from productai_notebook.api import InvalidArgumentError
from productai_notebook.api.input_checks import check_input_image, sniff_format


def test_a_png_and_a_jpeg_pass_with_their_format_and_size() -> None:
    checked = check_input_image(png((64, 48)))
    assert (checked.format, checked.width, checked.height) == ("png", 64, 48)
    assert check_input_image(jpeg()).format == "jpeg"


def test_a_gif_is_refused_by_name() -> None:
    with pytest.raises(InvalidArgumentError, match="is a GIF image: the API takes JPEG, PNG or WebP"):
        check_input_image(gif())


def test_a_file_over_10_mb_is_refused_with_its_size() -> None:
    with pytest.raises(InvalidArgumentError, match=r"is 12\.0 MB: input images may be at most 10\.0 MB"):
        check_input_image(too_large())


def test_exactly_10_mb_is_not_refused_for_its_size() -> None:
    padded = png() + bytes(10 * 1024 * 1024 - len(png()))  # PNG readers stop at IEND: the rest is ignored
    with pytest.raises(InvalidArgumentError) as refused:
        check_input_image(padded + b"x")
    assert "MB" in str(refused.value)
    assert check_input_image(padded).size == 10 * 1024 * 1024


def test_a_truncated_png_is_refused_though_its_header_reads() -> None:
    with pytest.raises(InvalidArgumentError, match="damaged or truncated PNG"):
        check_input_image(truncated_png())


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    data = bomb()
    assert len(data) < 100_000  # a few KB...
    with pytest.raises(InvalidArgumentError, match=r"6000x6000 pixels \(36 megapixels\).*decompression bomb"):
        check_input_image(data)  # ...that would decode to 36 million pixels


def test_text_renamed_as_an_image_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="not an image the API reads"):
        check_input_image(b"hello, this is a text file")


@pytest.mark.parametrize(("head", "kind"), [
    (b"\xff\xd8\xff\xe0", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"RIFF\0\0\0\0WEBPVP8 ", "webp"),
    (b"GIF89a", "gif"), (b"RIFF\0\0\0\0WAVE", None), (b"", None),
])
def test_formats_are_told_by_their_first_bytes(head: bytes, kind: str | None) -> None:
    assert sniff_format(head) == kind


def test_every_bad_file_of_the_studio_is_refused_with_its_reason() -> None:
    for name, (make, words) in BAD_FILES.items():
        with pytest.raises(InvalidArgumentError, match=words):
            check_input_image(make())
        assert name


def test_the_asset_list_reads_every_page(emulator, account_key, monkeypatch) -> None:
    import productai_notebook.api.resources.assets as assets_module
    from productai_notebook.api import ProductAI

    with ProductAI(api_key=account_key, base_url=emulator.base_url) as client:
        made = {client.assets.upload(png((8, 8 + n)), name=f"shot {n}").asset_id for n in range(3)}
        monkeypatch.setattr(assets_module, "MAX_LIST_LIMIT", 2)  # two pages for three assets
        listed = client.assets.list()
    assert {asset.asset_id for asset in listed} == made
    assert emulator.requests(account_key)["routes"]["list_assets"] == 2
