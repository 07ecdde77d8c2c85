"""The start-up baseline: a bare Textual app with a Header and a Footer.

bench_startup.py runs it in a pseudo-terminal and stops the clock when its title
(in the Header) reaches the terminal.
"""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header


class BareApp(App):
    TITLE = "bare-textual-app"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
