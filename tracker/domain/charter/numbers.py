"""Numbers written as words in charter cells: Bengali এক … নব্বই, একশত … একশত নিরানব্বই and
English one … ninety-nine, a/one hundred (and) … ninety-nine. Pure.

Charters write a limit's number in words, alone ("তিন দিন", "three days") or in brackets next
to its digits ("০৩ (তিন) দিন", "3 (three) days"). The words are matched on the folded key
(``tracker.domain.charter.text.match_key``: ী/ি, ূ/ু, ণ/ন, ৎ/ত, no hasanta, candrabindu or
nukta), so "পাঁচ"/"পাচ" and "এগার"/"এগারো" variants read the same.
"""

from __future__ import annotations

import re
from typing import Any

from tracker.domain.charter.text import match_key

#: Bengali number words 1-100, with the spellings seen in print (several per number).
BENGALI_NUMBER_WORDS: dict[int, tuple[str, ...]] = {
    1: ("এক",), 2: ("দুই", "দুই"), 3: ("তিন",), 4: ("চার",), 5: ("পাঁচ",),
    6: ("ছয়", "ছয়", "ছয়"), 7: ("সাত",), 8: ("আট",), 9: ("নয়", "নয়"), 10: ("দশ",),
    11: ("এগার", "এগারো"), 12: ("বার", "বারো"), 13: ("তের", "তেরো"), 14: ("চৌদ্দ",),
    15: ("পনের", "পনেরো"), 16: ("ষোল", "ষোলো"), 17: ("সতের", "সতেরো"),
    18: ("আঠার", "আঠারো"), 19: ("উনিশ",), 20: ("বিশ", "কুড়ি"), 21: ("একুশ",),
    22: ("বাইশ",), 23: ("তেইশ",), 24: ("চব্বিশ",), 25: ("পঁচিশ",), 26: ("ছাব্বিশ",),
    27: ("সাতাশ",), 28: ("আটাশ",), 29: ("ঊনত্রিশ", "উনত্রিশ"), 30: ("ত্রিশ", "তিরিশ"),
    31: ("একত্রিশ",), 32: ("বত্রিশ",), 33: ("তেত্রিশ",), 34: ("চৌত্রিশ",),
    35: ("পঁয়ত্রিশ",), 36: ("ছত্রিশ",), 37: ("সাঁইত্রিশ",), 38: ("আটত্রিশ",),
    39: ("ঊনচল্লিশ", "উনচল্লিশ"), 40: ("চল্লিশ",), 41: ("একচল্লিশ",),
    42: ("বিয়াল্লিশ", "বেয়াল্লিশ"), 43: ("তেতাল্লিশ",), 44: ("চুয়াল্লিশ",),
    45: ("পঁয়তাল্লিশ",), 46: ("ছেচল্লিশ",), 47: ("সাতচল্লিশ",), 48: ("আটচল্লিশ",),
    49: ("ঊনপঞ্চাশ", "উনপঞ্চাশ"), 50: ("পঞ্চাশ",), 51: ("একান্ন",),
    52: ("বাহান্ন", "বায়ান্ন"), 53: ("তিপ্পান্ন",), 54: ("চুয়ান্ন",), 55: ("পঞ্চান্ন",),
    56: ("ছাপ্পান্ন",), 57: ("সাতান্ন",), 58: ("আটান্ন",), 59: ("ঊনষাট", "উনষাট"),
    60: ("ষাট",), 61: ("একষট্টি",), 62: ("বাষট্টি",), 63: ("তেষট্টি",), 64: ("চৌষট্টি",),
    65: ("পঁয়ষট্টি",), 66: ("ছেষট্টি",), 67: ("সাতষট্টি",), 68: ("আটষট্টি",),
    69: ("ঊনসত্তর", "উনসত্তর"), 70: ("সত্তর",), 71: ("একাত্তর",), 72: ("বাহাত্তর",),
    73: ("তিয়াত্তর",), 74: ("চুয়াত্তর",), 75: ("পঁচাত্তর",), 76: ("ছিয়াত্তর",),
    77: ("সাতাত্তর",), 78: ("আটাত্তর",), 79: ("ঊনআশি", "উনআশি"), 80: ("আশি",),
    81: ("একাশি",), 82: ("বিরাশি",), 83: ("তিরাশি",), 84: ("চুরাশি",), 85: ("পঁচাশি",),
    86: ("ছিয়াশি",), 87: ("সাতাশি",), 88: ("অষ্টআশি", "আটাশি"),
    89: ("ঊননব্বই", "উননব্বই"), 90: ("নব্বই",), 91: ("একানব্বই",), 92: ("বিরানব্বই",),
    93: ("তিরানব্বই",), 94: ("চুরানব্বই",), 95: ("পঁচানব্বই",), 96: ("ছিয়ানব্বই",),
    97: ("সাতানব্বই",), 98: ("আটানব্বই",), 99: ("নিরানব্বই",),
    100: ("একশত", "একশো", "একশ", "এক শত"),
}

_ENGLISH_UNITS = ("one two three four five six seven eight nine ten eleven twelve thirteen "
                  "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_ENGLISH_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def _english() -> dict[str, int]:
    words = {word: i for i, word in enumerate(_ENGLISH_UNITS, 1)}
    for t, tens in enumerate(_ENGLISH_TENS, 2):
        words[tens] = t * 10
        for u, unit in enumerate(_ENGLISH_UNITS[:9], 1):
            words[f"{tens}-{unit}"] = words[f"{tens} {unit}"] = t * 10 + u
    below = dict(words)
    for hundred in ("a hundred", "one hundred", "hundred"):
        words[hundred] = 100
        # "one hundred (and) twenty": 101-199 (larger compounds are not seen in charters)
        for word, value in below.items():
            words[f"{hundred} {word}"] = words[f"{hundred} and {word}"] = 100 + value
    return words


#: The marks the matching key drops inside words (hasanta, candrabindu, visarga, nukta).
DROPPED_MARKS = "\u09cd\u0981\u0983\u09bc"


def fold_char(ch: str) -> str:
    """One character as matching keys see it (``match_key``: ASCII digits, ী/ি, ণ/ন, ৎ/ত,
    lower case), but spaces and punctuation kept; one character out for one in, except the
    :data:`DROPPED_MARKS`, which fold to nothing."""
    return _FOLD[ord(ch)]


class _FoldTable(dict[int, str]):
    """``str.translate`` table computing each character's fold the first time it is seen."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in DROPPED_MARKS:
            folded = ""
        elif not ch.isprintable():
            folded = " "  # a control character: a separator
        else:
            key = match_key(ch)
            # punctuation and spaces: match_key drops them, matching needs them
            folded = key if len(key) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch)
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """``text`` folded character by character (see :func:`fold_char`)."""
    return text.translate(_FOLD)


def _bengali() -> dict[str, int]:
    words = {word: value for value, spellings in BENGALI_NUMBER_WORDS.items()
             for word in spellings}
    # "একশত বিশ" 120, "একশ আশি" 180: 101-199 (larger compounds are not seen in charters)
    for hundred in BENGALI_NUMBER_WORDS[100]:
        for value in range(1, 100):
            for word in BENGALI_NUMBER_WORDS[value]:
                words[f"{hundred} {word}"] = 100 + value
    return words


def _table() -> dict[str, int]:
    table = {fold(word): value for word, value in _bengali().items()}
    table.update({fold(word): value for word, value in _english().items()})
    # glued ("একশতবিশ") reads like spaced: number_word_value drops the spaces of the text
    table.update({key.replace(" ", ""): value for key, value in list(table.items())})
    return table


#: folded word -> value
NUMBER_WORDS: dict[str, int] = _table()



def _trie_pattern(words: list[str]) -> str:
    """One regex matching any of ``words``, longest first, factored by common prefixes: a
    flat alternation of 300 words is tried word by word at every position of a cell, a trie
    rejects a position at its first character (the scan stays fast on 100 KB cells)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [(" ?" if ch == " " else re.escape(ch)) + pattern(child)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        # a word may end here: try the longer words first (greedy), then stop
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


#: Every number word (folded), as one regex; the longest word wins ("একত্রিশ" beats "এক").
NUMBER_WORD_PATTERN = _trie_pattern(sorted(NUMBER_WORDS))


def number_word_value(word: str) -> int | None:
    """The value of a number word in any spelling (``"পাঁচ"`` -> 5, ``"Twenty-one"`` -> 21)."""
    key = re.sub(r" +", " ", fold(word).strip())
    value = NUMBER_WORDS.get(key)
    if value is None:
        value = NUMBER_WORDS.get(key.replace(" ", ""))
    return value
