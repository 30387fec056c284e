"""`chargelake privacy erase`: one driver's data out of every copy (orchestration/privacy/erase.py)."""

from __future__ import annotations

import argparse

EXAMPLES = """
examples:
  chargelake privacy erase --token 04A2B3C4D5E6F7                 by the card's uid (or contract id)
  chargelake privacy erase --token hmac:9f2c...                   by its pseudonym, as the marts show it
  chargelake privacy erase --token 04A2B3C4D5E6F7 --vacuum-now    and remove the superseded files at once
"""


def add_privacy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EXAMPLES
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="privacy_command", required=True)
    erase = sub.add_parser(
        "erase",
        help="remove one card's rows from the raw zone, landing and quarantine (the warehouse on its next build)",
    )
    erase.add_argument(
        "--token", required=True, help="the card's uid, contract id or printed number, or its hmac: pseudonym"
    )
    erase.add_argument(
        "--vacuum-now",
        action="store_true",
        help="vacuum the affected Delta tables now (otherwise `chargelake lake vacuum` removes the old files later)",
    )


def privacy(args: argparse.Namespace) -> int:
    from chargelake.config import Settings
    from chargelake.lake import Lake
    from orchestration.privacy.erase import erase

    settings = Settings.from_env()  # the key turns a card number into the pseudonym the lake holds
    result = erase(Lake(settings.lake_url), args.token, settings.pseudonym_key, vacuum_now=args.vacuum_now)
    print("\n".join(result.lines()))
    return 0
