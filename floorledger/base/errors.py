"""The one exception the command line turns into a one-line message and an exit status."""


class CliError(Exception):
    """A problem a user can fix (bad file, bad argument); printed as one line, never a traceback."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status
