"""HTML outputs whose dollar signs stay dollar signs.

JupyterLab and Notebook 7 typeset ``$…$`` in HTML and Markdown outputs as TeX (MathJax 3),
and nbconvert's HTML pages do the same (MathJax 2): "about $3.60; … $0.00" became italic maths.
Escaping ``$`` as ``&#36;`` does not help, since MathJax reads the text after the HTML is
parsed. Both MathJax versions skip an element with their ignore class (``mathjax_ignore`` in
MathJax 3, ``tex2jax_ignore`` in MathJax 2), so every sora_nb HTML output is wrapped in one
element that carries both.
"""

from __future__ import annotations

#: The classes MathJax 3 (JupyterLab, Notebook 7) and MathJax 2 (nbconvert) leave untypeset.
NO_MATH_CLASSES = "tex2jax_ignore mathjax_ignore"


def no_math(fragment: str, *, tag: str = "div", classes: str = "", style: str = "") -> str:
    """``fragment`` (already escaped HTML) in a ``tag`` that front ends never typeset."""
    names = f"{classes} {NO_MATH_CLASSES}".strip()
    styled = f' style="{style}"' if style else ""
    return f'<{tag} class="{names}"{styled}>{fragment}</{tag}>'
