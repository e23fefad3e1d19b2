"""Territory tagging: a gazetteer built from the real names of the region's communes, EPCI and territories.

How a name is recognised
- Text and names are cut into word tokens, folded (no accents, lower case, « œ » → « oe »), and « St »/« Ste »
  read as « Saint »/« Sainte »: hyphens, apostrophes and spaces are interchangeable
  (« Les Sables-d'Olonne », « Sables d’Olonne », « St-Nazaire »).
- Names are looked up in a token trie (first token → possible lengths → exact tuple), longest match first: word
  boundaries are respected by construction and the cost is linear in the text length.
- A place name must be capitalised in the text (« La Flèche », not « la flèche ») unless the whole text is in
  capitals.
- Names without their article (« Sables-d'Olonne ») are known; a one-word remainder (« Mans », « Herbiers ») only
  after « du / au / aux / des ».
- Names of communes that are ordinary words, first names or other places (``AMBIGUOUS_NAMES``: « Vue », « Placé »,
  « Changé », « Angles », « René », « Mayenne »...) need a place context as well: a preposition before (« à Vue »,
  « près de Changé » ; « a » counts only as « à », not as the verb of « le contrat a changé »), a département code
  after (« Vue (44) »), « , près de ... » after (« Changé, près du Mans »), the headline form « Vue. ... », or,
  capitalised in the middle of a sentence, a list with other places (« Laval, Changé et Bonchamp »).
- Homonyms inside the region (Allonnes, Avrillé, Changé...) are resolved by a département mentioned in the text or
  by the other places found; otherwise the most populous one is kept with a lower confidence.
- A commune tags its territory; an EPCI tags the territory holding most of its population; territory names and a
  few usual names of areas (``AREA_ALIASES``) tag the territory.

Where the region ends (issue #20; reference lists in ``places.py``)
- A département (name or number, postal code), région or country named next to a candidate decides: in parentheses
  (« Nozay (Essonne) », « Laval (Québec) », « Allonnes (72) »), after « , dans le / la / les », « en », « au »
  (« à Saint-Nazaire, dans le Gard »), or opening its clause (« Dans la Sarthe, à Allonnes »). Elsewhere: dropped.
  A département of the region keeps only the homonyms it holds and confirms an ambiguous name (« Mayenne (53) »).
  The context is never read as a place itself (« Saint-Berthevin (Mayenne) »). A country after a place without a
  comma counts only after « à » (« à Laval au Québec »; « Nantes au Québec » is a trip).
- A candidate glued by a hyphen to more words is part of a longer name when the whole is a French commune elsewhere
  (COG 2026: « Saint-Nazaire-les-Eymes », « Mont-Saint-Aignan », also « Sévérac d'Aveyron ») or when a link word
  follows (« Candé-sur-Beuvron »); two places of the region joined by a hyphen stay places (« Nantes-Saint-Nazaire »).
- A first name (or « M. », « Mme »...) just before a commune's name makes it a person (« Pierre Laval »), unless a
  département or région of the region next to it gives it as a place.
- Staff corrections (``TagCorrection``, applied in ``tagging.py``) remove or add what remains.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from . import places as where
from .places import TOKEN_ALIASES, normalise_tokens
from .text import TOKEN_RE, fold

ARTICLES = {"le", "la", "les", "l"}
CONTRACTIONS = {"du", "au", "aux", "des"}
# Words before a place name that show it is used as a place.
PLACE_CONTEXT = {
    "a",
    "de",
    "d",
    "du",
    "au",
    "aux",
    "des",
    "sur",
    "pres",
    "vers",
    "depuis",
    "commune",
    "ville",
    "mairie",
    "maire",
    "habitants",
    "secteur",
    "entre",
}
# Words that, between two capitalised names, make a list of places (« Laval, Changé et Bonchamp »).
LIST_SEPARATOR_RE = re.compile(r"^\s*(?:,|,?\s*(?:et|ou))\s*$")
# « Changé, près du Mans », « Vue (près de Nantes) »: a place followed by where it is.
NEAR_AFTER_RE = re.compile(
    r"^\s*[,(]\s*(?:tout\s+)?(?:pr[eè]s|non\s+loin|[àa]\s+c[ôo]t[ée])\s+(?:de|du|des|d['’])", re.I
)
SENTENCE_END = ".!?:;«»—–\n"
# Rivers and areas written like a commune but for its accents (« Loiré » / « Loire »): the accents must match.
ACCENT_SENSITIVE = {"loire", "sarthe", "mayenne", "vendee", "maine", "anjou", "loir", "sevre", "yon", "erdre"}

# Communes whose name is also an ordinary French word, a first name, a département, a river or a place elsewhere.
AMBIGUOUS_NAMES = [
    "Vue",
    "Fay",
    "Vix",
    "Trans",
    "Indre",
    "Degré",
    "Cures",
    "Grues",
    "Angles",
    "Gorges",
    "René",
    "Placé",
    "Forcé",
    "Loué",
    "Athée",
    "Brains",
    "Contest",
    "Soudan",
    "Olivet",
    "Chenu",
    "Martinet",
    "Bouée",
    "Coron",
    "Préaux",
    "Commer",
    "Mayenne",
    "Montreuil",
    "Châteauneuf",
    "Châtelain",
    "Beaurepaire",
    "Grandchamp",
    "Montmirail",
    "Aron",
    "Mée",
    "Livet",
    "Coudray",
    "Marcé",
    "Tennie",
    "Cormes",
    "Gesnes",
    "Vivy",
    "Liez",
    "Le Pin",
    "Le Pas",
    "Le Givre",
    "La Marne",
    "La Bosse",
    "La Couture",
    "La Montagne",
    "La Plaine",
    "La Planche",
    "La Quinte",
    "La Ferrière",
    "La Dorée",
    "La Taillée",
    "La Jonchère",
    "La Romagne",
    "La Gravelle",
    "La Boissière",
    "La Guierche",
    "La Cropte",
    "La Pallu",
    "Le Bernard",
    "Le Cellier",
    "Le Tablier",
    "Le Perrier",
    "Le Bailleul",
    "Le Langon",
    "Le Tronchet",
    "Le Bignon",
    "Le Grez",
    "Le Ham",
    "L'Épine",
    "L'Oie",
    "Les Touches",
    "Les Ulmes",
    "Les Rairies",
    "Les Pineaux",
    "Les Mées",
    "Le Buret",
    "Le Ribay",
    "Sion",
    # Past participles, adjectives and nouns (accents are ignored when matching: « Simplé » is read in « simple »).
    "Changé",
    "Ligné",
    "Tassé",
    "Tiercé",
    "Maché",
    "Pincé",
    "Fillé",
    "Simplé",
    "Rougé",
    "Maillé",
    "Souillé",
    "Remouillé",
    "Chevillé",
    "Teillé",
    "Champagné",
    "Douillet",
    "Vernie",
    "Ballots",
    "Bannes",
    "Mouais",
]

# Usual names of areas, each clearly inside one territory.
AREA_ALIASES = {
    "Mauges": "49-CHO",
    "Choletais": "49-CHO",
    "Saumurois": "49-SAU",
    "Segréen": "49-SEG",
    "Haut-Anjou": "49-SEG",
    "Castelbriantais": "44-NLA",
    "Presqu'île guérandaise": "44-STN",
    "agglomération nazairienne": "44-STN",
    "Pays yonnais": "85-ROC",
    "agglomération yonnaise": "85-ROC",
    "Haut Bocage": "85-HBO",
    "Nord Sarthe": "72-NES",
    "Perche sarthois": "72-NES",
    "agglomération mancelle": "72-LMA",
    "métropole nantaise": "44-NAN",
    "agglomération lavalloise": "53-LAV",
    "agglomération angevine": "49-ANG",
    "Les Sables": "85194",  # commune code: the usual short name of Les Sables-d'Olonne
}
# EPCI whose short name is a place outside the region (only the full name is recognised).
EPCI_NO_SHORT_NAME = {"alencon", "redon agglomeration"}
EPCI_PREFIXES = {"CA": "communauté d'agglomération", "CC": "communauté de communes", "CU": "communauté urbaine"}
DEPARTEMENT_NAMES = {
    "loire atlantique": "44",
    "maine et loire": "49",
    "mayenne": "53",
    "sarthe": "72",
    "vendee": "85",
}
DEPARTEMENT_RE = re.compile(r"\b(loire atlantique|maine et loire|sarthe|vendee|(?:la|en) mayenne)\b")
DEPARTEMENT_CODE_RE = re.compile(r"\((44|49|53|72|85)\)")
SPLIT_WORDS = {"sur", "en", "les", "sous", "lez"}

HOMONYM_RESOLVED = 0.9
HOMONYM_GUESSED = 0.6


@dataclass(frozen=True)
class Place:
    kind: str  # commune, epci, territory, area
    label: str
    territories: tuple[tuple[str, float], ...]  # (territory code, confidence)
    departement: str = ""
    population: int = 0


@dataclass
class Term:
    tokens: tuple[str, ...]
    places: list[Place]
    significant: int = 0  # index of the token that must be capitalised
    ambiguous: bool = False
    needs_contraction: bool = False
    confidence: float = 1.0


@dataclass
class Match:
    start: int
    end: int
    surface: str
    term: Term
    places: list[Place] = field(default_factory=list)
    confidence: float = 1.0


@dataclass
class TagResult:
    territories: dict[str, dict]  # code → {"confidence": float, "terms": [str]}

    @property
    def codes(self) -> set[str]:
        return set(self.territories)


def name_key(text: str) -> str:
    return " ".join(normalise_tokens(text))


AMBIGUOUS_KEYS = {name_key(name) for name in AMBIGUOUS_NAMES}


LISTED_ONLY = "listed only"


def _starts_sentence(spans, index: int, text: str) -> bool:
    if index == 0:
        return True
    gap = text[spans[index - 1][2] : spans[index][1]]
    return any(mark in gap for mark in SENTENCE_END)


def _is_preposition_a(spans, index: int, text: str) -> bool:
    """« à » (or a capital « A » opening a sentence, accents being often dropped on capitals), not the verb « a »."""
    word = spans[index][0]
    if word in {"à", "À"}:
        return True
    return word == "A" and _starts_sentence(spans, index, text)


def _significant_index(original_tokens: list[str]) -> int:
    for index, token in enumerate(original_tokens):
        if token[:1].isupper() and fold(token) not in ARTICLES:
            return index
    return 0


JOINERS = {"-", "\u2011", "'", "\u2019"}
# Words that continue a place name after a hyphen (« -sur- », « -lès- », « -d'... »).
LINK_WORDS = {"sur", "sous", "en", "les", "lez", "le", "la", "l", "de", "d", "du", "des", "aux", "au", "et"}
PERSON_TITLES = {"M", "MM", "Mme", "Mmes", "Mlle", "Dr", "Pr", "Me", "Monsieur", "Madame", "Maître"}
PAREN_RE = re.compile(r"\s*\(\s*([^()]{1,60}?)\s*\)")
IN_AFTER_RE = re.compile(r"\s*,?\s*(?:dans\s+(?:le|la|les)\s+|dans\s+l['\u2019]\s*|en\s+|au\s+|aux\s+)", re.I)
COMMA_RE = re.compile(r"\s*,\s*")
BOUNDARY_RE = re.compile(r"\s*(?:$|[,.;:!?)\u2014\u2013])")
IN_BEFORE = {"en", "au", "aux"}


class _Scan:
    """One text being read: its tokens and the context around a candidate place."""

    def __init__(self, text: str, spans: list, folded: list[str], all_caps: bool):
        self.text, self.spans, self.folded, self.all_caps = text, spans, folded, all_caps

    def _capitalised(self, index: int) -> bool:
        return self.all_caps or self.spans[index][0][:1].isupper()

    def _index_at(self, position: int, from_index: int) -> int:
        index = from_index
        while index < len(self.spans) and self.spans[index][1] < position:
            index += 1
        return index

    def location_after(self, start: int, index: int):
        """A département, région or country named just after the place ``spans[start:index]``: « (Essonne) »,
        « (44) », « , dans le Gard », « en Mayenne », « , au Québec », « à Laval au Québec », « , Québec ».
        Returns (location, end of what was read) or None. « Nantes au Québec » (no comma, no « à » before) is a
        trip, not where Nantes lies."""
        if index == 0 or index > len(self.spans):
            return None
        end = self.spans[index - 1][2]
        rest = self.text[end : end + 90]
        paren = PAREN_RE.match(rest)
        if paren:
            content = paren.group(1)
            location = where.location_from_code(content)
            if location is None:
                first = self._index_at(end + paren.start(1), index)
                last = self._index_at(end + paren.end(1), first)
                for k in range(first, last):
                    found = where.location_at(self.folded[:last], k)
                    if found and self._capitalised(k):
                        location = found[0]
                        break
            return (location, end + paren.end()) if location else None
        for pattern, countries_only in ((IN_AFTER_RE, False), (COMMA_RE, True)):
            words = pattern.match(rest)
            if not words:
                continue
            k = self._index_at(end + words.end(), index)
            found = where.location_at(self.folded, k) if k < len(self.spans) else None
            if not found or not self._capitalised(k):
                continue
            location, size = found
            stop = self.spans[k + size - 1][2]
            trip = location.kind == "country" and pattern is IN_AFTER_RE and "," not in words.group()
            if trip and not (start > 0 and self._is_preposition_a(start - 1)):
                continue
            if countries_only and (location.kind != "country" or not BOUNDARY_RE.match(self.text[stop : stop + 3])):
                continue
            return location, stop
        return None

    def _is_preposition_a(self, index: int) -> bool:
        return self.spans[index][0] in {"à", "À"} or (
            self.spans[index][0] == "A" and _starts_sentence(self.spans, index, self.text)
        )

    def location_before(self, index: int):
        """« Dans le Gard, à Saint-Gilles », « En Mayenne, Changé »: a location opening the clause of the place."""
        k = index - 1
        if k >= 0 and self.folded[k] == "a" and self.spans[k][0] in {"à", "À", "a", "A"}:
            k -= 1
        if k < 0 or not re.fullmatch(r"\s*[,:]\s*", self.text[self.spans[k][2] : self.spans[k + 1][1]]):
            return None
        found = where.location_ending_at(self.folded, k + 1)
        if not found:
            return None
        location, size = found
        first = k + 1 - size
        if not self._capitalised(first) or first == 0:
            return None
        before = self.folded[first - 1]
        if before in IN_BEFORE or (
            before in {"le", "la", "les", "l"} and first >= 2 and self.folded[first - 2] == "dans"
        ):
            return location
        return None

    def joined_after(self, index: int, *, spaces: bool = False) -> list[int]:
        """Tokens glued to the one before ``index`` by hyphens or apostrophes (the rest of a compound name), or
        also by single spaces."""
        chain = []
        while index < len(self.spans) and len(chain) < 6:
            gap = self.text[self.spans[index - 1][2] : self.spans[index][1]]
            if gap not in JOINERS and not (spaces and gap == " "):
                break
            chain.append(index)
            index += 1
        return chain

    def joined_before(self, index: int) -> list[int]:
        """Tokens glued before ``index`` by hyphens or apostrophes (the start of a compound name), in text order."""
        chain = []
        while index > 0 and len(chain) < 4:
            if self.text[self.spans[index - 1][2] : self.spans[index][1]] not in JOINERS:
                break
            index -= 1
            chain.insert(0, index)
        return chain

    def after_person_name(self, index: int) -> bool:
        """« Pierre Laval », « Jean-Marc Vallet », « M. Blain »: a first name or a title just before the name."""
        if index == 0:
            return False
        word, _start, end = self.spans[index - 1]
        gap = self.text[end : self.spans[index][1]]
        if word in PERSON_TITLES and gap.strip() in {"", "."} and gap:
            return True
        if not gap or not gap.isspace() or not word[:1].isupper():
            return False
        if self.folded[index - 1] not in where.first_names():
            return False
        # « Saint-Pierre Montlimart »: a saint's name, part of a place name.
        return not (index >= 2 and self.folded[index - 2] in {"saint", "sainte"})


class Gazetteer:
    def __init__(self):
        self.terms: dict[tuple[str, ...], Term] = {}
        self.lengths: dict[str, list[int]] = {}
        self.exact_terms: dict[str, Place] = {}

    # --- building -------------------------------------------------------------------------------------------
    def add(self, name: str, place: Place, *, confidence=1.0, ambiguous=False, needs_contraction=False, derived=False):
        original = TOKEN_RE.findall(name)
        tokens = tuple(normalise_tokens(name))
        if not tokens:
            return
        existing = self.terms.get(tokens)
        if existing is not None:
            if derived:
                return  # a derived short form never overrides a real name
            if place not in existing.places:
                existing.places.append(place)
            existing.ambiguous = existing.ambiguous and ambiguous
            existing.needs_contraction = existing.needs_contraction and needs_contraction
            existing.confidence = max(existing.confidence, confidence)
            return
        self.terms[tokens] = Term(
            tokens=tokens,
            places=[place],
            significant=_significant_index(original),
            ambiguous=ambiguous,
            needs_contraction=needs_contraction,
            confidence=confidence,
        )
        lengths = self.lengths.setdefault(tokens[0], [])
        if len(tokens) not in lengths:
            lengths.append(len(tokens))
            lengths.sort(reverse=True)

    def add_commune(self, name: str, place: Place):
        ambiguous = name_key(name) in AMBIGUOUS_KEYS
        if name_key(name) in ACCENT_SENSITIVE and fold(name) != name.lower():
            # « Loiré » is not « Loire »: a separate exact-spelling term, never merged with the river.
            self.exact_terms[name.lower()] = place
            return
        self.add(name, place, ambiguous=ambiguous)
        self.add_without_article(name, place, ambiguous=ambiguous)

    def add_without_article(self, name: str, place: Place, *, ambiguous=False):
        tokens = TOKEN_RE.findall(name)
        if fold(tokens[0]) in ARTICLES and len(tokens) > 1:
            rest = " ".join(tokens[1:])
            if len(tokens) > 2:
                self.add(rest, place, confidence=0.95, ambiguous=ambiguous, derived=True)
            elif fold(tokens[0]) in {"le", "les"}:
                self.add(rest, place, confidence=0.95, ambiguous=ambiguous, needs_contraction=True, derived=True)

    # --- matching -------------------------------------------------------------------------------------------
    def find(self, text: str) -> list[Match]:
        spans = [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text or "")]
        if not spans:
            return []
        folded = [TOKEN_ALIASES.get(f, f) for f in (fold(s[0]) for s in spans)]
        letters = [s[0] for s in spans if len(s[0]) > 1 and s[0].isalpha()]
        all_caps = bool(letters) and sum(1 for t in letters if t.isupper()) >= 0.6 * len(letters)
        scan = _Scan(text, spans, folded, all_caps)
        matches = []
        pending = []  # ambiguous names without place context: places only if listed with other places
        count = len(spans)
        i = 0
        skip_until = 0  # a place's context (« (Essonne) », « , dans le Gard ») is not read as a place itself
        while i < count:
            if spans[i][1] < skip_until:
                i += 1
                continue
            candidates = []
            if self.exact_terms and folded[i] in ACCENT_SENSITIVE:
                place = self.exact_terms.get(spans[i][0].lower())
                if place is not None and spans[i][0][:1].isupper():
                    candidates.append((Term((folded[i],), [place]), 1, True))
            for length in self.lengths.get(folded[i], ()):
                if i + length <= count:
                    term = self.terms.get(tuple(folded[i : i + length]))
                    if term is not None:
                        candidates.append((term, length, None))
            step = 1
            for term, length, verdict in candidates:
                if verdict is None:
                    verdict = self._accept(term, i, length, spans, folded, text, all_caps)
                if not verdict:
                    continue
                places, confirmed, consumed = self._judge(term, i, length, scan, matches)
                skip_until = max(skip_until, consumed)
                if not places:
                    continue
                start, end = spans[i][1], spans[i + length - 1][2]
                match = Match(start, end, text[start:end], term, places, term.confidence)
                if verdict == LISTED_ONLY and not confirmed:
                    pending.append(match)
                    continue
                matches.append(match)
                step = length
                break
            i += step
        if pending and matches:
            matches = self._add_listed(matches, pending, text)
        return matches

    def _judge(self, term: Term, i: int, length: int, scan: _Scan, matches: list[Match]):
        """What the words around a candidate say: (places kept, confirmed by a place of the region, end of the
        context read). No place kept: the candidate is somewhere else, part of a longer name, or a person."""
        if self._inside_longer_name(term, i, length, scan, matches):
            return [], False, 0
        found = scan.location_after(i, i + length)
        consumed = found[1] if found else 0
        location = found[0] if found else scan.location_before(i)
        places = list(term.places)
        if location is not None:
            if not location.in_region:
                return [], False, consumed  # « Nozay (Essonne) », « Laval (Québec) », « à X, dans le Gard »
            if location.kind == "departement":
                # « Allonnes (Sarthe) », « Mayenne (53) »: the département decides, even between homonyms.
                places = [p for p in places if p.departement in (location.code, "")]
            return places, True, consumed
        if scan.after_person_name(i):
            return [], False, consumed  # « Pierre Laval », « Mme Vallet »
        return places, False, consumed

    def _inside_longer_name(self, term: Term, i: int, length: int, scan: _Scan, matches: list[Match]) -> bool:
        """« Saint-Nazaire-les-Eymes », « Candé-sur-Beuvron », « Mont-Saint-Aignan »: the candidate begins or ends a
        longer hyphenated name that is not a place of the region (the longest names of the region were tried
        first). Two places joined by a hyphen (« Nantes-Saint-Nazaire », « Paris-Nantes ») stay places."""
        folded, spans = scan.folded, scan.spans
        tokens = tuple(folded[i : i + length])
        compound = where.compound_commune_names()
        # « Sévérac d'Aveyron », « Saint-Brice-sous-Forêt »: a commune of France elsewhere (COG 2026).
        following = scan.joined_after(i + length, spaces=True)
        tails = [tuple(folded[j] for j in following[:size]) for size in range(len(following) + 1)]
        if any(tokens + tail in compound for tail in tails[1:]):
            return True
        before = scan.joined_before(i)
        after_place = bool(matches) and before and matches[-1].end == spans[before[-1]][2]
        # « -en-Mauges » names the area: only a commune's name glued after another word may end a longer name.
        if before and not after_place and all(place.kind == "commune" for place in term.places):
            if folded[before[-1]] in LINK_WORDS:
                return True  # « Villeneuve-en-Retz » written around a name: « ...-sur-Mayenne », « ...-lès-Laval »
            for size in range(1, len(before) + 1):
                head = tuple(folded[j] for j in before[-size:])
                if any(head + tokens + tail in compound for tail in tails):
                    return True  # « Mont-Saint-Aignan »
        chain = scan.joined_after(i + length)
        if not chain:
            return False
        first = chain[0]
        if spans[first][0][:1].isupper() and any(
            tuple(folded[first : first + n]) in self.terms for n in self.lengths.get(folded[first], ())
        ):
            return False
        return folded[first] in LINK_WORDS

    @staticmethod
    def _add_listed(matches: list[Match], pending: list[Match], text: str) -> list[Match]:
        """Keep the ambiguous names written in a list with accepted places (« Laval, Changé et Bonchamp »)."""
        accepted = list(matches)
        changed = True
        while changed:
            changed = False
            for candidate in list(pending):
                if any(m.start < candidate.end and candidate.start < m.end for m in accepted):
                    pending.remove(candidate)
                    continue
                for match in accepted:
                    between = text[match.end : candidate.start] if match.end <= candidate.start else ""
                    if match.start >= candidate.end:
                        between = text[candidate.end : match.start]
                    if between and LIST_SEPARATOR_RE.match(between):
                        accepted.append(candidate)
                        pending.remove(candidate)
                        changed = True
                        break
        return sorted(accepted, key=lambda m: m.start)

    def _accept(self, term, i, length, spans, folded, text, all_caps):
        """True, False, or LISTED_ONLY (an ambiguous name without place context: kept only in a list of places)."""
        significant = spans[i + term.significant][0]
        if not all_caps and not (significant[:1].isupper() or significant[:1].isdigit()):
            return False
        previous = folded[i - 1] if i > 0 else ""
        if term.needs_contraction and previous not in CONTRACTIONS:
            return False
        if not term.ambiguous:
            return True
        end = spans[i + length - 1][2]
        after = text[end : end + 30]
        if previous in PLACE_CONTEXT and (previous != "a" or _is_preposition_a(spans, i - 1, text)):
            return True
        if DEPARTEMENT_CODE_RE.match(after.lstrip()) or NEAR_AFTER_RE.match(after):
            return True
        if i == 0 and after.lstrip(" \u00a0\u202f")[:1] in {".", ":"}:
            return True
        return LISTED_ONLY

    def departements_mentioned(self, text: str) -> set[str]:
        found = set(DEPARTEMENT_CODE_RE.findall(text or ""))
        for name in DEPARTEMENT_RE.findall(" ".join(normalise_tokens(text or ""))):
            found.add(DEPARTEMENT_NAMES[name.split()[-1] if name.endswith("mayenne") else name])
        return found

    def tag(self, text: str) -> TagResult:
        matches = self.find(text)
        context = self.departements_mentioned(text)
        for match in matches:
            departements = {place.departement for place in match.places}
            if len(departements) == 1 and "" not in departements:
                context |= departements
        result: dict[str, dict] = {}
        for match in matches:
            places = match.places
            confidence = match.confidence
            if len({p.territories for p in places}) > 1:
                local = [p for p in places if p.departement in context]
                if len(local) == 1:
                    places, confidence = local, min(confidence, HOMONYM_RESOLVED)
                else:
                    places = [max(places, key=lambda p: p.population)]
                    confidence = min(confidence, HOMONYM_GUESSED)
            for place in places:
                for code, weight in place.territories:
                    entry = result.setdefault(code, {"confidence": 0.0, "terms": []})
                    entry["confidence"] = round(max(entry["confidence"], confidence * weight), 2)
                    if match.surface not in entry["terms"]:
                        entry["terms"].append(match.surface)
        return TagResult(result)


def build_gazetteer() -> Gazetteer:
    from django.db.models import Sum

    from territories.models import Commune, Epci, Territory

    gazetteer = Gazetteer()
    territories = {
        code: (name, dep) for code, name, dep in Territory.objects.values_list("code", "name", "departement__code")
    }
    for code, (name, dep) in territories.items():
        gazetteer.add(name, Place("territory", name, ((code, 1.0),), dep))

    communes = list(
        Commune.objects.filter(territory__isnull=False).values_list(
            "code", "name", "departement__code", "territory__code", "population"
        )
    )
    by_code = {}
    for code, name, dep, territory, population in communes:
        place = Place("commune", name, ((territory, 1.0),), dep, population)
        by_code[code] = place
        gazetteer.add_commune(name, place)

    for alias, target in AREA_ALIASES.items():
        place = by_code.get(target)
        if place is None and target in territories:
            place = Place("area", alias, ((target, 1.0),), territories[target][1])
        if place is not None:
            gazetteer.add(alias, place, confidence=0.9)
            gazetteer.add_without_article(alias, place)

    # EPCI: the territory (or territories) holding most of their population.
    shares: dict[int, dict[str, int]] = {}
    for epci_id, territory, population in (
        Commune.objects.filter(epci__isnull=False, territory__isnull=False)
        .values_list("epci_id", "territory__code")
        .annotate(total=Sum("population"))
    ):
        shares.setdefault(epci_id, {})[territory] = population or 0
    for epci in Epci.objects.filter(pk__in=shares):
        total = sum(shares[epci.pk].values()) or 1
        weights = {code: pop / total for code, pop in shares[epci.pk].items()}
        majority = tuple((c, 1.0) for c, w in weights.items() if w >= 0.5)
        targets = majority or tuple((c, 0.5) for c, w in weights.items() if w >= 0.2)
        place = Place("epci", epci.name, targets)
        for variant in epci_variants(epci.name):
            gazetteer.add(variant, place, confidence=0.95)

    # Short forms: « Château-Gontier » for Château-Gontier-sur-Mayenne, « Montaigu » for Montaigu-Vendée...
    # kept only when no other commune name starts with the same words.
    all_names = [tuple(normalise_tokens(name)) for _code, name, *_ in communes]
    candidates: dict[str, list] = {}
    for code, name, *_ in communes:
        tokens = TOKEN_RE.findall(name)
        folded = [fold(t) for t in tokens]
        cut = next((k for k, t in enumerate(folded) if k >= 1 and (t in SPLIT_WORDS or t == "vendee")), None)
        if cut is None or (folded[0] in ARTICLES and cut == 1):
            continue
        prefix = "-".join(tokens[:cut])
        candidates.setdefault(name_key(prefix), []).append((prefix, code))
    for key, found in candidates.items():
        if len(found) != 1 or key in AMBIGUOUS_KEYS or (" " not in key and len(key) < 4):
            continue
        prefix_tokens = tuple(key.split())
        if sum(1 for tokens in all_names if tokens[: len(prefix_tokens)] == prefix_tokens) != 1:
            continue
        prefix, code = found[0]
        gazetteer.add(prefix, by_code[code], confidence=0.9, derived=True)
    return gazetteer


def epci_variants(name: str) -> list[str]:
    variants = [name]
    match = re.match(r"^(CA|CC|CU)\s+(.*)$", name)
    rest = match.group(2) if match else name
    for acronym in re.findall(r"\(([^)]+)\)", rest):
        variants.append(acronym)
    rest = re.sub(r"\s*\([^)]*\)", "", rest).replace(" - ", " ").strip()
    if match:
        variants.append(f"{EPCI_PREFIXES[match.group(1)]} {rest}")
    short = re.sub(r"^(de la |de l'|du |des |de |d')", "", rest, flags=re.IGNORECASE).strip()
    folded_short = " ".join(normalise_tokens(short))
    if len(TOKEN_RE.findall(short)) >= 2 and folded_short not in EPCI_NO_SHORT_NAME:
        variants.append(short)
    return variants


_lock = threading.Lock()
_cache: dict = {}


def _signature() -> tuple:
    from django.db.models import Max

    from territories.models import Commune, CompositionChange

    return (
        Commune.objects.count(),
        CompositionChange.objects.aggregate(m=Max("pk"))["m"],
    )


def get_gazetteer() -> Gazetteer:
    """The gazetteer for the current composition (rebuilt when communes move between territories)."""
    signature = _signature()
    with _lock:
        if _cache.get("signature") != signature:
            _cache["gazetteer"] = build_gazetteer()
            _cache["signature"] = signature
        return _cache["gazetteer"]


def reset_gazetteer():
    with _lock:
        _cache.clear()
