"""Importing this module compiles every lexicon and matcher (`trial.warm_up`).

It exists for the build's forkserver preload: the forkserver imports it once, and every pool
worker forked from it inherits the compiled patterns instead of paying about a second each.
Nothing else should import it; ordinary imports stay cheap for the other commands.
"""

from graphbuild.extract.trial import warm_up

warm_up()
