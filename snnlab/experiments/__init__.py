"""The assignment's set-ups (and what goes beyond them) as functions the notebooks call.

Each function builds a :class:`snnlab.Network` from plain parameters, runs it and returns
the :class:`snnlab.Result`; plotting and widgets sit on top.
"""
