"""What a question type is: one class holding everything the platform does with answers of
that type (*loại câu hỏi*), after ONS eq-questionnaire-runner's one handler class per type.

A type says which XLSForm names it answers to, how its value is read from a page's form post
and from the collector's JSON, how it is checked, shown on the check page, rendered (the
Jinja macro in ``templates/public/respond/_types.html`` it names), exported (SPSS/Stata
numeric or text), and what the browser renderers (``static/js/questionnaire.js``,
``static/field/form.js``) need to know about it (:meth:`QuestionType.browser`).

Values are the text an XForm instance holds (answers.py); ``""`` is unanswered.
"""
from __future__ import annotations

from survey_app.i18n import _

MAX_TEXT = 10_000
#: The template of the built-in macros, and where a type's own macro (macro_source) is served.
SHARED_TEMPLATE = "public/respond/_types.html"
OWN_TEMPLATES = "question-types/"

#: Canonical type name → its handler, in registration order.
REGISTRY: dict[str, "QuestionType"] = {}


def register(cls: type["QuestionType"]) -> type["QuestionType"]:
    """Class decorator: one instance per name the class lists in ``names``."""
    for name in cls.names:
        REGISTRY[name] = cls(name)
    return cls


class QuestionType:
    """A type answered as free text: the defaults every other type refines."""

    #: Canonical names this class handles (one instance each).
    names: tuple[str, ...] = ()
    #: Other spellings an XLSForm may use, mapped to the canonical name (pyxform's own aliases
    #: are found from its type table, see question_types.py).
    aliases: dict[str, str] = {}
    #: pyxform's spelling of a canonical name, where it differs.
    pyxform_names: dict[str, str] = {}
    #: The macro that renders the input: one of templates/public/respond/_types.html, or of
    #: :attr:`macro_source` when the type brings its own.
    macro = "text_input"
    #: Jinja source of the type's own macro (named ``macro``), for a type that needs one the shared
    #: template lacks; served from the registry as :attr:`template` (see types.template_loader).
    macro_source: str | None = None
    #: HTML input type and inputmode for a text-like input.
    html_input = "text"
    inputmode: str | None = None
    #: "text" or "numeric": how SPSS and Stata store the column.
    export_kind = "text"
    #: Whether the answer has choices (the element keeps its list).
    has_choices = False
    #: Whether the choices come from the form's external list (``select_one_external``).
    external_choices = False
    #: Whether the answer is exactly one code of its list: numbered and value-labelled, with its
    #: don't-know codes declared missing, in .sav/.dta; a row of a Likert grid (quality rules).
    single_choice = False
    #: Whether it holds an answer (a note does not: it is neither checked nor exported).
    has_value = True
    #: Whether a page posts it as a file.
    takes_file = False
    #: Whether the offline collector records it (a file type the phone can capture).
    collected_offline = False
    #: A regular expression (JavaScript and Python alike) the browser checks before posting.
    browser_pattern: str | None = None

    def __init__(self, name: str):
        self.name = name

    def read_form(self, form, key: str) -> str | None:
        """The value posted for ``key``, or None when the page did not post it (kept as it was)."""
        return (form.get(key) or "").strip() if key in form else None

    def read_json(self, value) -> str:
        """A value from the collector's JSON (or a stored submission) as text, as checked."""
        return "" if value is None else str(value)

    def check(self, question: dict, value: str, allowed_choices: list[str] | None) -> str | None:
        """A message when ``value`` is not an answer of this type, else None."""
        if len(value) > MAX_TEXT:
            return _("The answer is too long (at most %(max)d characters).", max=MAX_TEXT)
        return None

    def display(self, question: dict, value: str, choice_labels: dict[str, str]) -> str:
        """The answer as the check page shows it."""
        return value

    def export_label(self, value: str, choice_labels: dict[str, str]) -> str:
        """The answer as the labelled CSV/XLSX export writes it (a code's label)."""
        return choice_labels.get(value, value)

    @property
    def template(self) -> str:
        """The template holding :attr:`macro`."""
        return f"{OWN_TEMPLATES}{self.name}.html" if self.macro_source else SHARED_TEMPLATE

    def input_attributes(self, question: dict) -> dict[str, str]:
        """Extra attributes of a text-like input (a range's min, max and step)."""
        return {}

    def parameters(self, control: dict) -> dict:
        """Type-specific parameters from pyxform's control dict (range start/end/step)."""
        return {}

    def format_message(self) -> str | None:
        """What the browser says when ``browser_pattern`` does not match."""
        return None

    def browser(self) -> dict:
        """What the JavaScript renderers need to draw and check an input of this type."""
        found = {"macro": self.macro, "input": self.html_input, "export": self.export_kind,
                 "value": self.has_value}
        if self.inputmode:
            found["inputmode"] = self.inputmode
        if self.browser_pattern:
            found.update(pattern=self.browser_pattern, message=self.format_message())
        return found
