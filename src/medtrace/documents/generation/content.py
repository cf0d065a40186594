"""What a generated document says, independent of how it is printed: a title and numbered
sections of blocks (paragraphs, lists, tables, facts, signatures). The same content renders to
HTML for the PDF (documents/generated/pdf/*.html) and to Markdown, the body a controlled
document's first draft takes when a skeleton is taken in.

Headings carry both languages: the market decides which one leads (Chinese for NMPA, English
for FDA and EU) and the other is shown beneath it, so every generated document carries its
Chinese headings. Body text is written in the generation's language by the builders."""

from dataclasses import dataclass, field
from typing import Any

ZH = "zh-hans"
EN = "en"
LANGUAGES = (ZH, EN)


@dataclass(frozen=True)
class Heading:
    zh: str
    en: str

    def pick(self, language: str) -> str:
        return self.zh if language == ZH else self.en


@dataclass
class Block:
    """One piece of a section. kind: paragraph (text), bullets / steps (items), table
    (header, rows), facts (rows of label, value), note (text, shown muted), signatures
    (record: its electronic signatures)."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    record: Any = None


def paragraph(text: str) -> Block:
    return Block("paragraph", text=text)


def note(text: str) -> Block:
    return Block("note", text=text)


def bullets(items) -> Block:
    return Block("bullets", items=[str(item) for item in items])


def steps(items) -> Block:
    return Block("steps", items=[str(item) for item in items])


def table(header, rows) -> Block:
    return Block(
        "table", header=[str(h) for h in header], rows=[[_cell(c) for c in r] for r in rows]
    )


def facts(rows) -> Block:
    return Block("facts", rows=[[str(label), _cell(value)] for label, value in rows])


def signature_list(record) -> Block:
    return Block("signatures", record=record)


def _cell(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


@dataclass
class Section:
    heading: Heading
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    number: str = ""


@dataclass
class Content:
    """A generated document: its title, the facts shown under the title, its sections and
    the regulatory references of its market."""

    title: Heading
    sections: list[Section]
    language: str
    lead: str  # the language headings lead with: ZH or EN
    subtitle: str = ""
    cover: list[tuple[str, str]] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    def heading(self, heading: Heading) -> tuple[str, str]:
        """(leading, secondary) text of a heading; secondary empty when both are the same."""
        other = EN if self.lead == ZH else ZH
        first, second = heading.pick(self.lead), heading.pick(other)
        return first, ("" if second == first else second)

    def numbered(self) -> list[Section]:
        """The sections with their numbers (1, 1.1, 2 ...) filled in from their levels."""
        counters = [0, 0, 0]
        for section in self.sections:
            depth = max(0, min(section.level - 2, 2))
            counters[depth] += 1
            for deeper in range(depth + 1, 3):
                counters[deeper] = 0
            section.number = ".".join(str(n) for n in counters[: depth + 1])
        return self.sections


def to_markdown(content: Content, *, signature_rows=None) -> str:
    """The content as CommonMark with pipe tables (what documents.rendering renders).
    `signature_rows(record)` gives the (header, rows, text when there is none) of a signatures
    block: printed name, meaning, time, validity."""
    title, title_second = content.heading(content.title)
    lines = [f"# {title}" + (f" · {title_second}" if title_second else ""), ""]
    if content.subtitle:
        lines += [content.subtitle, ""]
    if content.cover:
        lines += _md_table(["", ""], content.cover)
    for section in content.numbered():
        first, second = content.heading(section.heading)
        marks = "#" * min(section.level, 6)
        lines += [f"{marks} {section.number} {first}" + (f" · {second}" if second else ""), ""]
        for block in section.blocks:
            lines += _md_block(block, signature_rows)
    if content.references:
        lines += [f"## {_references_heading(content)}", ""]
        lines += [f"- {reference}" for reference in content.references] + [""]
    return "\n".join(lines).rstrip() + "\n"


REFERENCES = Heading("法规与标准依据", "Regulatory references")


def _references_heading(content: Content) -> str:
    first, second = content.heading(REFERENCES)
    return first + (f" · {second}" if second else "")


def _md_block(block: Block, signature_rows) -> list[str]:
    if block.kind in ("paragraph", "note"):
        text = block.text.strip()
        return [f"*{text}*" if block.kind == "note" else text, ""] if text else []
    if block.kind == "bullets":
        return [f"- {_one_line(item)}" for item in block.items] + [""]
    if block.kind == "steps":
        return [f"{n}. {_one_line(item)}" for n, item in enumerate(block.items, 1)] + [""]
    if block.kind == "table":
        return _md_table(block.header, block.rows)
    if block.kind == "facts":
        return _md_table(["", ""], block.rows)
    if block.kind == "signatures" and signature_rows is not None:
        header, rows, none = signature_rows(block.record)
        return _md_table(header, rows) if rows else [f"*{none}*", ""]
    return []


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _md_cell(value) -> str:
    return _one_line(value).replace("|", "\\|") or " "


def _md_table(header, rows) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]
