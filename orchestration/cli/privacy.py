"""`chargelake privacy`: one driver's data out of every copy (orchestration/housekeeping/privacy/erase.py), and
the pseudonym key rotated without losing a join (orchestration/housekeeping/privacy/rotate.py)."""

from __future__ import annotations

import argparse

EXAMPLES = """
examples:
  chargelake privacy erase --token 04A2B3C4D5E6F7                 by the card's uid (or contract id)
  chargelake privacy erase --token psn:948ee87b:xtym...           by its pseudonym, as the marts show it
  chargelake privacy erase --token 04A2B3C4D5E6F7 --vacuum-now    and remove the superseded files at once
  chargelake privacy key-status                                   which key each raw partition's pseudonyms use
  CHARGELAKE_PSEUDONYM_KEY=<new> CHARGELAKE_PSEUDONYM_KEY_PREVIOUS=<old> \\
    chargelake privacy rotate-key --vacuum-now                    re-key the lake; then destroy <old>
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
        "--token", required=True, help="the card's uid, contract id or printed number, or its psn: pseudonym"
    )
    rotate = sub.add_parser(
        "rotate-key",
        help="re-key every pseudonym made with CHARGELAKE_PSEUDONYM_KEY_PREVIOUS to CHARGELAKE_PSEUDONYM_KEY",
    )
    for command in (erase, rotate):
        command.add_argument(
            "--vacuum-now",
            action="store_true",
            help="vacuum the affected Delta tables now (else `chargelake lake vacuum` removes the old files later)",
        )
    sub.add_parser("key-status", help="which key (by id, never the key) each raw partition's pseudonyms were made with")


def privacy(args: argparse.Namespace) -> int:
    from chargelake.config import ConfigError, Settings
    from chargelake.lake import Lake
    from chargelake.pseudonymise import PseudonymError

    settings = Settings.from_env()  # the key turns a card number into the pseudonym the lake holds
    lake = Lake(settings.lake_url)
    if args.privacy_command == "key-status":
        from orchestration.housekeeping.privacy.rotate import status_lines

        print("\n".join(status_lines(lake, settings.pseudonym_key)))
        return 0
    if args.privacy_command == "rotate-key":
        from orchestration.housekeeping.privacy.rotate import rotate

        result = rotate(lake, settings.pseudonym_key, settings.previous_pseudonym_key, vacuum_now=args.vacuum_now)
        print("\n".join(result.lines()))
        return 0
    from orchestration.housekeeping.privacy.erase import erase

    keys = [settings.pseudonym_key, *([settings.previous_pseudonym_key] if settings.previous_pseudonym_key else [])]
    try:
        result = erase(lake, args.token, keys, vacuum_now=args.vacuum_now)
    except PseudonymError as exc:
        raise ConfigError(f"--token is {exc}") from None
    print("\n".join(result.lines()))
    return 0
