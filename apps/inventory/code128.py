"""Code 128 (code set B) as inline SVG, for document numbers on print views (UI.md: "document
number as text and barcode"), so a clerk can scan a printed ADJ-2026-000001 back in."""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Bar/space widths of the 107 symbols (ISO/IEC 15417); 106 is the stop symbol (7 elements).
# fmt: off
PATTERNS = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)
# fmt: on
START_B, STOP = 104, 106


def symbols(text: str) -> list[int]:
    """Start B, the characters (printable ASCII), the check symbol, stop."""
    values = [START_B]
    for char in text:
        code = ord(char)
        if not 32 <= code <= 126:
            raise ValueError(f"Code 128 B cannot encode {char!r}")
        values.append(code - 32)
    check = (values[0] + sum(value * position for position, value in enumerate(values[1:], start=1))) % 103
    return [*values, check, STOP]


def svg(text: str, *, module: float = 1.0, height: float = 36) -> SafeString:
    """An SVG of ``text`` with a quiet zone of ten modules each side; scales with its width."""
    x, bars = 10.0, []
    for value in symbols(text):
        for index, width in enumerate(PATTERNS[value]):
            if index % 2 == 0:
                bars.append(f'<rect x="{x:g}" width="{int(width):g}" height="{height:g}"/>')
            x += int(width)
    total = x + 10
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}" shape-rendering="crispEdges">{}</svg>',
        f"{total:g}",
        f"{height:g}",
        f"{total * module:g}",
        f"{height:g}",
        text,
        mark_safe("".join(bars)),  # noqa: S308 - numbers only
    )
