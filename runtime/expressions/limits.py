"""What the expression language allows and how much: its functions, methods, value types and caps.

Every cap is what makes evaluation cost bounded by the expression's size (and the task
data it reads), with no timer: an expression has at most MAX_NODES parts, and no part can
make a number, string or list beyond these bounds.
"""
from __future__ import annotations

from ..errors import ProcessFailed

MAX_CHARS = 2_000  # characters of one expression, and of one line of a script
MAX_NODES = 200  # expression nodes (names, values, operations, calls) of one expression
MAX_DEPTH = 20  # nesting of expression nodes
MAX_SCRIPT_LINES = 100  # assignments of one script
MAX_INT = 10**18  # largest magnitude of an integer literal, operand or result
MAX_LENGTH = 100_000  # characters of a string, items of a list or tuple that an expression makes
MAX_POWER_EXPONENT = 64  # largest integer exponent of `**` between integers
MAX_ROUND_DIGITS = 18  # largest |ndigits| of round()
MAX_STORED_SIZE = 1_000_000  # about the JSON size, in characters, of one value a script stores

SCALARS = (type(None), bool, int, float, str)
VALUE_TYPES = SCALARS + (list, tuple, dict, set)
FUNCTIONS = ("len", "abs", "min", "max", "round", "int", "float", "str", "bool", "sum", "any", "all")
# Method name -> the type it is a method of.
METHODS = {"lower": str, "upper": str, "strip": str, "startswith": str, "endswith": str, "replace": str,
           "split": str, "get": dict}


class ExpressionError(ProcessFailed):
    """An expression or script is outside the language, or cannot be evaluated on the data.

    Being a ProcessFailed, it fails the task (HTTP 422) and changes nothing; at deploy it
    becomes a Problem. `line` is the line of the expression or script it is on, if known.
    """

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
