"""A labeled PII text corpus for the PII benchmark, made with Faker from a fixed seed.

Usage: python bench/gen_pii_dataset.py OUT_DIR [--dense-lines N] [--sparse-lines N] [--seed S]
Writes dense.txt / sparse.txt (one record per line, ASCII) and dense.labels.jsonl /
sparse.labels.jsonl: per line, the gold spans {"start", "end", "type"} (character offsets
in the line). Dense lines read like support tickets: two or three values, one or two decoys
and a sentence of prose each (about one value per 60 bytes);
sparse lines are prose with a value on about one line in sixty. Both carry decoys that a
naive pattern takes for PII: Luhn-invalid card-like numbers, order ids, version strings,
SSNs the SSA never issues, UUIDs, timestamps, tracking numbers, IBANs with a bad checksum,
dates without birth context.

Types: EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, US_SSN, IP_ADDRESS (the pattern
types every compared tool knows) and DATE_OF_BIRTH (only ours has it; scored apart).
Phone numbers are kept only when `phonenumbers` calls them valid: a gold label must be a
real number.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

COMPARED_TYPES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS")
US_AREA_CODES = (201, 202, 206, 212, 213, 305, 312, 404, 415, 512, 617, 646, 702, 718, 773, 808, 917, 971)


class Generator:
    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.rng = random.Random(seed)
        self.fake = Faker(["en_US"])
        self.fake.seed_instance(seed)
        self.locales = {code: Faker(code) for code in ("de_DE", "en_GB", "fr_FR", "nl_NL", "es_ES")}
        for index, faker in enumerate(self.locales.values()):
            faker.seed_instance(seed + index + 1)

    # -- values -----------------------------------------------------------------------------
    def email(self) -> str:
        return self.rng.choice((self.fake.email, self.fake.free_email, self.fake.company_email))()

    def phone(self) -> str:
        import phonenumbers

        while True:
            if self.rng.random() < 0.7:
                area, exchange, line = self.rng.choice(US_AREA_CODES), self.rng.randint(201, 989), self.rng.randint(
                    1000, 9999)
                if exchange == 555:
                    continue
                text = self.rng.choice((f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}",
                                        f"+1 {area} {exchange} {line}", f"{area}.{exchange}.{line}",
                                        f"+1-{area}-{exchange}-{line}"))
                region = "US"
            else:
                code, faker = self.rng.choice(list(self.locales.items()))
                text, region = faker.phone_number(), code.split("_")[1]
                if not text.startswith("+"):
                    continue
            try:
                if phonenumbers.is_valid_number(phonenumbers.parse(text, region)):
                    return text
            except phonenumbers.NumberParseException:
                continue

    def card(self) -> str:
        kind = self.rng.choice(("visa16", "mastercard", "amex", "discover", "jcb", "visa16", "mastercard"))
        number = self.fake.credit_card_number(card_type=kind)
        while kind == "jcb" and not 3528 <= int(number[:4]) <= 3589:  # Faker strays outside JCB's range
            number = self.fake.credit_card_number(card_type=kind)
        if self.rng.random() < 0.4 and len(number) == 16:
            number = " ".join(number[i : i + 4] for i in range(0, 16, 4))
        return number

    def iban(self) -> str:
        value = self.rng.choice(list(self.locales.values())).iban()
        if self.rng.random() < 0.4:
            value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        return value

    def ssn(self) -> str:
        return self.fake.ssn()

    def ip(self) -> str:
        return self.fake.ipv4_public() if self.rng.random() < 0.75 else self.fake.ipv6()

    def dob(self) -> str:
        day = self.fake.date_of_birth(minimum_age=18, maximum_age=90)
        return day.isoformat() if self.rng.random() < 0.5 else day.strftime("%m/%d/%Y")

    # -- decoys -----------------------------------------------------------------------------
    def decoy(self) -> str:
        rng = self.rng
        card = self.fake.credit_card_number(card_type="visa16")
        bad_card = card[:-1] + str((int(card[-1]) + rng.randint(1, 9)) % 10)
        iban = self.locales["de_DE"].iban()
        # check digits are unique in 02..98 for a given account: any other value there fails mod-97
        bad_iban = iban[:2] + f"{rng.choice([c for c in range(2, 99) if c != int(iban[2:4])]):02d}" + iban[4:]
        choices: list[Callable[[], str]] = [
            lambda: f"invoice number {bad_card}",
            lambda: f"order ORD-{rng.randint(2019, 2026)}-{rng.randint(1, 999999):06d}",
            lambda: f"running version {rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}",
            lambda: f"ref {rng.choice(['000', '666', '912'])}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
            lambda: f"request id {self.fake.uuid4()}",
            lambda: f"at {self.fake.iso8601()}Z",
            lambda: f"tracking 1Z{rng.randint(100, 999)}AA1{rng.randint(10**9, 10**10 - 1)}",
            lambda: f"transfer ref {bad_iban}",
            lambda: f"shipped on {self.fake.date_this_decade().isoformat()}",
            lambda: f"total ${rng.randint(1, 9999)}.{rng.randint(0, 99):02d}",
            lambda: f"build {rng.randint(1000, 99999)} at {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
                    f"{rng.randint(0, 59):02d}",
        ]
        return rng.choice(choices)()

    # -- records ----------------------------------------------------------------------------
    TEMPLATES: ClassVar[dict[str, tuple[str, ...]]] = {
        "EMAIL_ADDRESS": ("please reach me at {}", "my email is {}", "send the invoice to {}"),
        "PHONE_NUMBER": ("call me back on {}", "my number is {}", "phone: {}"),
        "CREDIT_CARD": ("I was charged twice on card {}", "card number {} was declined", "pay with {}"),
        "IBAN_CODE": ("refund to my account {}", "IBAN {} please", "bank account: {}"),
        "US_SSN": ("my ssn is {}", "SSN {} for the tax form", "social security {}"),
        "IP_ADDRESS": ("login came from {}", "the server at {} is down", "my ip is {}"),
        "DATE_OF_BIRTH": ("date of birth {}", "dob: {}", "I was born {}"),
    }

    def value(self, kind: str) -> str:
        return {"EMAIL_ADDRESS": self.email, "PHONE_NUMBER": self.phone, "CREDIT_CARD": self.card,
                "IBAN_CODE": self.iban, "US_SSN": self.ssn, "IP_ADDRESS": self.ip, "DATE_OF_BIRTH": self.dob}[kind]()

    def record(self, kinds: list[str], decoys: int, filler: int) -> tuple[str, list[dict[str, object]]]:
        pieces: list[tuple[str, str | None, str | None]] = []
        for kind in kinds:
            template = self.rng.choice(self.TEMPLATES[kind])
            pieces.append((template, kind, self.value(kind)))
        pieces += [(self.decoy(), None, None) for _ in range(decoys)]
        pieces += [(self.fake.sentence(nb_words=self.rng.randint(6, 14)).rstrip("."), None, None)
                   for _ in range(filler)]
        self.rng.shuffle(pieces)
        text, spans = "", []
        for template, kind, value in pieces:
            if text:
                text += ", " if self.rng.random() < 0.6 else ". "
            if kind is None:
                text += template
                continue
            prefix = template.split("{}")[0]
            start = len(text) + len(prefix)
            text += template.format(value)
            spans.append({"start": start, "end": start + len(value), "type": kind})
        return text, spans


# ---- the CRM tuning set: records in many locales, scored per record and type ---------------------------
# Written to tune the classes an independent corpus showed missing (month-name birth dates, SSNs without
# separators, phone numbers the metadata rejects, national formats outside North America, `00`
# prefixes, version strings); kept apart from any evaluation set, which nobody tuning reads.

CRM_LOCALES = ("en_US", "en_GB", "en_CA", "de_DE", "de_AT", "fr_FR", "fr_CH", "es_ES", "it_IT", "nl_NL", "pt_PT",
               "pl_PL", "sv_SE", "da_DK")
CRM_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}
CRM_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"PHONE_NUMBER": ("phone: {}", "call me at {}", "contact {}", "my cell is {}", "you can reach me on {}",
                            "Tel. {}", "mobile {}"),
           "DATE_OF_BIRTH": ("DOB: {}", "date of birth {}", "born {}", "I was born on {}", "birthday: {}"),
           "EMAIL_ADDRESS": ("email {}", "write to {}", "my address is {}"),
           "US_SSN": ("SSN {}", "social security no. {}", "my social security number is {}", "SSN#: {}"),
           "CREDIT_CARD": ("card {}", "charged to {}", "the Visa ending... full number {}"),
           "IBAN_CODE": ("IBAN {}", "refund to {}"),
           "IP_ADDRESS": ("logged in from {}", "IP {}", "blocked address {}")},
    "de": {"PHONE_NUMBER": ("Telefon: {}", "Tel. {}", "erreichbar unter {}", "Handy {}", "Rückruf bitte an {}"),
           "DATE_OF_BIRTH": ("Geburtsdatum: {}", "geb. {}", "geboren am {}"),
           "EMAIL_ADDRESS": ("E-Mail {}", "Mail an {}"), "IBAN_CODE": ("IBAN {}", "Konto {}"),
           "CREDIT_CARD": ("Kreditkarte {}",), "IP_ADDRESS": ("IP-Adresse {}",)},
    "fr": {"PHONE_NUMBER": ("téléphone : {}", "tél. {}", "portable {}", "appelez-moi au {}"),
           "DATE_OF_BIRTH": ("date de naissance : {}", "né le {}", "née le {}"),
           "EMAIL_ADDRESS": ("courriel {}",), "IBAN_CODE": ("IBAN {}",), "CREDIT_CARD": ("carte {}",),
           "IP_ADDRESS": ("adresse IP {}",)},
    "es": {"PHONE_NUMBER": ("teléfono: {}", "móvil {}", "llámame al {}"),
           "DATE_OF_BIRTH": ("fecha de nacimiento: {}", "nacido el {}", "nacida el {}"),
           "EMAIL_ADDRESS": ("correo {}",), "IBAN_CODE": ("IBAN {}",), "CREDIT_CARD": ("tarjeta {}",),
           "IP_ADDRESS": ("IP {}",)},
    "it": {"PHONE_NUMBER": ("telefono: {}", "cellulare {}", "chiamami al {}"),
           "DATE_OF_BIRTH": ("data di nascita: {}", "nato il {}", "nata il {}"),
           "EMAIL_ADDRESS": ("email {}",), "IBAN_CODE": ("IBAN {}",), "CREDIT_CARD": ("carta {}",),
           "IP_ADDRESS": ("indirizzo IP {}",)},
    "nl": {"PHONE_NUMBER": ("telefoon: {}", "mobiel {}", "bel me op {}"),
           "DATE_OF_BIRTH": ("geboortedatum: {}", "geboren op {}"),
           "EMAIL_ADDRESS": ("e-mail {}",), "IBAN_CODE": ("IBAN {}",), "CREDIT_CARD": ("creditcard {}",),
           "IP_ADDRESS": ("IP-adres {}",)},
    "pt": {"PHONE_NUMBER": ("telefone: {}", "telemóvel {}", "ligue para {}"),
           "DATE_OF_BIRTH": ("data de nascimento: {}", "nascido em {}"),
           "EMAIL_ADDRESS": ("email {}",), "IBAN_CODE": ("IBAN {}",), "CREDIT_CARD": ("cartão {}",),
           "IP_ADDRESS": ("IP {}",)},
}
CRM_FILLER = {
    "en": ("my order has not arrived", "please update my account", "the app keeps crashing", "thanks for the help"),
    "de": ("meine Bestellung ist nicht angekommen", "bitte Konto aktualisieren", "danke"),
    "fr": ("ma commande n'est pas arrivée", "merci de mettre à jour mon compte"),
    "es": ("mi pedido no ha llegado", "gracias por la ayuda"),
    "it": ("il mio ordine non è arrivato", "grazie mille"),
    "nl": ("mijn bestelling is niet aangekomen", "bedankt"),
    "pt": ("a minha encomenda não chegou", "obrigado"),
}


class CrmGenerator:
    """Support, CRM and chat records across locales, with the value classes that an independent corpus
    showed missing, and decoys (build and version strings, order ids, amounts, dates of other events)."""

    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.rng = random.Random(seed)
        self.fakers = {code: Faker(code) for code in CRM_LOCALES}
        for index, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed + index)

    def dob(self, language: str) -> str:
        day = self.fakers["en_US"].date_of_birth(minimum_age=18, maximum_age=95)
        months = CRM_MONTHS.get(language, CRM_MONTHS["en"]).split()
        month = months[day.month - 1]
        styles = [f"{day.day} {month} {day.year}", f"{day.day:02d}.{day.month:02d}.{day.year}",
                  f"{day.day:02d}/{day.month:02d}/{day.year}", day.isoformat()]
        if language == "en":
            styles += [f"{month[:3]} {day.day} {day.year}", f"{month} {day.day}, {day.year}",
                       f"{day.month}/{day.day}/{day.year}", f"{day.day}-{month[:3]}-{day.year}"]
        elif language == "de":
            styles.append(f"{day.day}. {month} {day.year}")
        elif language in ("es", "pt"):
            styles.append(f"{day.day} de {month} de {day.year}")
        return self.rng.choice(styles)

    def phone(self, locale: str) -> str:
        faker = self.fakers[locale]
        if locale == "en_US" and self.rng.random() < 0.3:  # 1-AAA-EEE-NNNN, area codes assigned or not
            return f"1-{self.rng.randint(200, 999)}-{self.rng.randint(200, 999)}-{self.rng.randint(0, 9999):04d}"
        number = faker.phone_number()
        if number.startswith("+") and self.rng.random() < 0.3:  # the international 00 prefix
            return "00" + number[1:].replace("(0)", "").replace("  ", " ")
        return number

    def ssn(self) -> str:
        value = self.fakers["en_US"].ssn()
        return value.replace("-", "") if self.rng.random() < 0.4 else value

    def value(self, kind: str, locale: str, language: str) -> str:
        faker = self.fakers[locale]
        if kind == "PHONE_NUMBER":
            return self.phone(locale)
        if kind == "DATE_OF_BIRTH":
            return self.dob(language)
        if kind == "US_SSN":
            return self.ssn()
        if kind == "EMAIL_ADDRESS":
            return faker.email()
        if kind == "CREDIT_CARD":
            return self.fakers["en_US"].credit_card_number(card_type=self.rng.choice(("visa16", "mastercard", "amex")))
        if kind == "IBAN_CODE":
            return faker.iban()
        return faker.ipv4_public() if self.rng.random() < 0.8 else faker.ipv6()

    def decoy(self) -> str:
        rng = self.rng
        return rng.choice([
            f"Build {rng.randint(1, 20)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 99)}-beta",
            f"version {rng.randint(1, 12)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}.{rng.randint(0, 999)}",
            f"firmware {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(1, 200)}",
            f"order #{rng.randint(10**7, 10**8)}", f"ticket ORD-{rng.randint(2019, 2026)}-{rng.randint(1, 10**6):06d}",
            f"ordered on {rng.randint(1, 28)} March {rng.randint(2021, 2025)}", f"total {rng.randint(1, 999)}.{rng.randint(10, 99)} EUR",
            f"tracking {rng.randint(10**11, 10**12)}", f"delivered {rng.randint(2021, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        ])

    def record(self) -> tuple[str, list[dict[str, object]]]:
        locale = self.rng.choice(CRM_LOCALES)
        language = locale[:2] if locale[:2] in CRM_LABELS else "en"
        labels = CRM_LABELS[language]
        kinds = self.rng.sample(sorted(set(labels) | {"PHONE_NUMBER"}), self.rng.choice((1, 2, 2, 3)))
        if locale == "en_US" and self.rng.random() < 0.3:
            kinds.append("US_SSN")
        pieces: list[tuple[str, str | None, str | None]] = []
        for kind in dict.fromkeys(kinds):
            templates = labels.get(kind) or CRM_LABELS["en"][kind]
            pieces.append((self.rng.choice(templates), kind, self.value(kind, locale, language)))
        pieces += [(self.decoy(), None, None) for _ in range(self.rng.choice((0, 1, 1, 2)))]
        pieces.append((self.rng.choice(CRM_FILLER[language]), None, None))
        self.rng.shuffle(pieces)
        text, spans = "", []
        for template, kind, value in pieces:
            text += ". " if text else ""
            if kind is None:
                text += template
                continue
            start = len(text) + len(template.split("{}")[0])
            text += template.format(value)
            spans.append({"start": start, "end": start + len(value), "type": kind})
        return text, spans


def make_crm_corpus(out: Path, records: int, seed: int = 14) -> None:
    """crm.txt (UTF-8, one record per line) and crm.labels.jsonl, as `write_corpus` writes them."""
    generator = CrmGenerator(seed)
    with open(out / "crm.txt", "w", encoding="utf-8") as text, open(out / "crm.labels.jsonl", "w") as labels:
        for _ in range(records):
            line, spans = generator.record()
            text.write(line.replace("\n", " ") + "\n")
            labels.write(json.dumps(spans) + "\n")


def write_corpus(out: Path, name: str, lines: int, make: Callable[[], tuple[str, list[dict[str, object]]]]) -> None:
    with open(out / f"{name}.txt", "w", encoding="ascii", errors="replace") as text, \
            open(out / f"{name}.labels.jsonl", "w") as labels:
        for _ in range(lines):
            line, spans = make()
            text.write(line.replace("\n", " ") + "\n")
            labels.write(json.dumps(spans) + "\n")


def make_corpus(out: Path, dense_lines: int, sparse_lines: int, seed: int = 2026) -> None:
    generator = Generator(seed)
    all_kinds = list(Generator.TEMPLATES)

    def dense() -> tuple[str, list[dict[str, object]]]:
        kinds = generator.rng.sample(all_kinds, generator.rng.choice((2, 3, 3)))
        return generator.record(kinds, decoys=generator.rng.choice((1, 2)), filler=1)

    def sparse() -> tuple[str, list[dict[str, object]]]:
        roll = generator.rng.random()
        kinds = [generator.rng.choice(all_kinds)] if roll < 1 / 60 else []
        return generator.record(kinds, decoys=1 if roll > 0.9 else 0, filler=1)

    write_corpus(out, "dense", dense_lines, dense)
    write_corpus(out, "sparse", sparse_lines, sparse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--dense-lines", type=int, default=4000)
    parser.add_argument("--sparse-lines", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    make_corpus(args.out, args.dense_lines, args.sparse_lines, args.seed)
    print(f"wrote {args.out}/dense.txt ({args.dense_lines} lines) and sparse.txt ({args.sparse_lines} lines)")


if __name__ == "__main__":
    main()
