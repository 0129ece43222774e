"""The two kinds of error: known errors carry a sentence for a person, anything else is a bug."""


class KnownError(Exception):
    """An error a user can understand and act on.

    The CLI prints ``str(error)`` as one line on stderr and exits with ``exit_code``;
    the GUI shows it in a dialog. The message never carries secrets.
    """

    exit_code = 1


class UsageError(KnownError):
    """The command or input was malformed."""

    exit_code = 2


class UnlockError(KnownError):
    """The store could not be unlocked: wrong passphrase, damaged or missing key file."""

    exit_code = 3


class StoreBusyError(KnownError):
    """Another JointOps process has the store open."""


class NotFoundError(KnownError):
    """A named record (operation, target, agency) does not exist."""


class ValidationError(KnownError):
    """A value given by the user is not acceptable."""
