"""Does a visitor's message ask for a person, or show the AI is failing them?

Judged clause by clause: "this bot is useless, let me speak with customer service" asks for
a person in its second clause. A clause asks for a person when a *request* (a verb of asking,
talking or connecting, or a bare "agent!") is aimed at a *person* word; hard negatives stay
with the AI: "I'm a real estate agent", "does a human check returns?", "I don't need a
person". English, Spanish, French, German and Portuguese; the message's language is detected
per message (lingua) to pick the patterns, with English and, for short or unsure text, every
language checked too (people mix languages, and three words are hard to place).

*Frustration* (insults, "useless", "you're not helping", shouting, "???") does not queue
anyone by itself: the AI's reply then offers a person (see ``ai.replier``); the visitor
decides. A repeated question is the loop signal, judged where the history is (the replier).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

LANGUAGES = ("en", "es", "fr", "de", "pt")

# polite filler peeled off both ends of a clause before it is matched
_FILLER = tuple(
    sorted(
        (
            "please",
            "pls",
            "plz",
            "now",
            "right now",
            "asap",
            "thanks",
            "thank you",
            "hi",
            "hello",
            "hey",
            "ok",
            "okay",
            "just",
            "can i",
            "could i",
            "i",
            "oh",
            "um",
            "uh",
            "sorry",
            "so",
            "well",
            "actually",
            "honestly",
            "seriously",
            "look",
            "listen",
            "por favor",
            "hola",
            "oye",
            "bueno",
            "vale",
            "gracias",
            "bonjour",
            "salut",
            "merci",
            "s il vous plait",
            "svp",
            "stp",
            "bon",
            "alors",
            "hallo",
            "bitte",
            "danke",
            "also",
            "ola",
            "oi",
            "obrigado",
            "obrigada",
            "entao",
            "ja",
        ),
        key=len,
        reverse=True,
    )
)


def normalise(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse whitespace."""
    if not text.isascii():  # ASCII has nothing to decompose (most messages: skip the walk)
        text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    text = text.replace("'", " ").replace("\u2019", " ")
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# a clause can only lose filler at an end whose word begins (or ends) some filler
_FILLER_FIRST = frozenset(f.split(" ")[0] for f in _FILLER)
_FILLER_LAST = frozenset(f.split(" ")[-1] for f in _FILLER)


def peel_filler(text: str) -> str:
    if text.partition(" ")[0] not in _FILLER_FIRST and text.rpartition(" ")[2] not in _FILLER_LAST:
        return text
    changed = True
    while changed and text:
        changed = False
        for filler in _FILLER:
            if text == filler:
                return ""
            if text.startswith(filler + " "):
                text, changed = text[len(filler) + 1 :], True
            if text.endswith(" " + filler):
                text, changed = text[: -len(filler) - 1], True
    return text


@lru_cache(maxsize=64)
def phrase_set(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(p for p in (normalise(x) for x in phrases) if p)


_PERSON = {
    "en": r"(?:a |an |the |some |your |one of your |any )?(?:real |live |actual |human |"
    r"proper |flesh and blood )?(?:human(?: being)?s?|person|agent|representative|rep|"
    r"operator|somebody|someone|anyone|anybody|staff(?: member)?|support(?: team| agent| "
    r"person| staff)?|customer (?:service|support|care)(?: team| agent)?|people|man|woman|"
    r"employee|manager|supervisor|team member|member of (?:staff|the team|your team)|"
    r"advisor|adviser|specialist|consultant|associate|colleague)",
    "es": r"(?:un |una |el |la |algun |alguna )?(?:persona(?: real| de verdad| humana)?|"
    r"humano|ser humano|agente|asesor|asesora|operador|operadora|representante|alguien|"
    r"empleado|empleada|encargado|supervisor|atencion al cliente|servicio al cliente|soporte|"
    r"ejecutivo|gente)",
    "fr": r"(?:un |une |le |la |l |quelqu )?(?:humain|etre humain|agent|conseiller|conseillere|"
    r"operateur|operatrice|representant|quelqu un|un un|service client|support|vraie personne|"
    r"personne reelle|personne physique|employe|responsable|interlocuteur|vrai humain|"
    r"personne)",
    "de": r"(?:einen |einem |eine |einer |dem |den |der |die |mit einem |mit einer |echten |"
    r"echter )?(?:menschen|"
    r"mensch|mitarbeiter|mitarbeiterin|berater|beraterin|agenten|agent|kundendienst|"
    r"kundenservice|support|echte person|echten person|jemandem|jemand|person|operator|"
    r"ansprechpartner|sachbearbeiter|servicemitarbeiter|kundenbetreuer|zustandigen)",
    "pt": r"(?:um |uma |o |a |algum |alguma )?(?:pessoa(?: real| de verdade| humana)?|humano|"
    r"ser humano|atendente|agente|operador|operadora|representante|alguem|funcionario|"
    r"suporte|atendimento(?: humano| ao cliente)?|consultor|gente)",
}

_REQUESTS = {
    "en": [
        r"(?:i )?(?:want|need|would like|d like|wanna|demand|require|prefer|d prefer|would "
        r"prefer|request|have)"
        r"(?: to)? (?:talk|speak|chat|be connected|get connected|get in touch|be put through)"
        r" (?:to|with) {P}\b",
        r"(?:i )?(?:want|need|would like|d like|wanna|demand|require|prefer|request)"
        r"(?: to have| to get| to see)? {P}(?: (?:from|at|on|in|of) (?:your|the) .*)?$",
        r"(?:can|could|may|can t|cant|will) (?:i|we|you|someone) (?:please )?(?:talk|speak|"
        r"chat) (?:to|with) {P}\b",
        r"(?:can|could|will) (?:you|i|someone) (?:please )?(?:connect|transfer|put|pass|"
        r"forward|escalate|send|route) (?:me |this |us )?(?:through |over )?(?:to|with) {P}\b",
        r"(?:please )?(?:connect|transfer|put|pass|forward|escalate|send|route|hand) (?:me|this"
        r"|us|it)(?: through| over| on)? (?:to|with) {P}\b",
        r"(?:let me |i will |i ll |i wanna |lemme )?(?:talk|speak|chat) (?:to|with) {P}\b",
        r"(?:get|give|find|bring|fetch) me {P}\b",
        r"(?:is there|are there|is anyone|is anybody|is somebody|is someone|anyone|anybody)"
        r"(?: {P})?(?: (?:there|here|available|around|online|real|awake))+(?: (?:to|i can|who"
        r" can) (?:talk|speak|chat)(?: to| with)?)?$",
        r"{P}(?: (?:please|now|asap|pls|plz|needed|required|wanted|help))*$",
        r"escalate(?: this| my (?:case|issue|problem|ticket))?(?: please)?$",
        r"(?:i )?(?:don t|do not|dont) want (?:to talk to |to speak to |to chat with )?(?:a |"
        r"the |this )?(?:bot|robot|machine|ai|chatbot)",
        r"(?:no|stop|enough)(?: more)?(?: with)? (?:the |this |a )?(?:bot|bots|robot|"
        r"chatbot|ai)(?: please)?$",
        r"(?:i )?(?:want|need) (?:real |human |personal )help from {P}\b",
        r"(?:i )?(?:want|need) (?:(?:real|human|personal|live) )+help$",
        r"(?:i )?(?:want |need |would like |d like )?(?:a )?live (?:chat|support|help)"
        r"(?: please)?$",
        r"(?:can|could|will) {P}(?: (?:from|at|on) (?:your|the) \w+(?: \w+)?)? (?:please )?"
        r"(?:talk|speak|chat) (?:to|with) (?:me|us)\b",
    ],
    "es": [
        r"(?:quiero|quisiera|necesito|puedo|podria|me gustaria|deseo|prefiero|queria)"
        r"(?: hablar| chatear| comunicarme| contactar| conversar)(?: con)? {P}\b",
        r"(?:quiero|quisiera|necesito|prefiero) {P}$",
        r"(?:pasame|paseme|comunicame|comuniqueme|transfiereme|transfierame|conectame|"
        r"conecteme|ponme|pongame)(?: con| a| al| en contacto con)? {P}\b",
        r"(?:me )?(?:pasas|pasa|puedes pasar|puede pasar|puedes comunicar|puede comunicar"
        r"|puedes transferir|puede transferir)(?:me)? (?:con|a) {P}\b",
        r"hablar con {P}\b",
        r"(?:hay|esta) (?:alguien|una persona|un humano)(?: ahi| disponible| real)*$",
        r"{P}(?: por favor| ya| ahora)*$",
        r"(?:no quiero|basta de|no mas) (?:hablar con )?(?:un |el |este )?(?:bot|robot)",
    ],
    "fr": [
        r"(?:je veux|je voudrais|j aimerais|je souhaite|je souhaiterais|puis je|est ce que je "
        r"peux|je peux|besoin de|je dois|je prefere|je prefererais)(?: parler| discuter|"
        r" echanger| etre mis en relation| etre en contact)(?: a| avec| au| en relation avec)?"
        r" {P}\b",
        r"(?:je veux|je voudrais|j aimerais|il me faut|je demande) {P}$",
        r"(?:passez moi|passe moi|mettez moi en relation avec|mets moi en relation avec|"
        r"transferez moi (?:a|vers)|connectez moi (?:a|avec)|pouvez vous me passer)(?: a)? {P}\b",
        r"parler (?:a|avec) {P}\b",
        r"(?:il y a|y a t il|est ce qu il y a) (?:quelqu un|un humain|une personne)"
        r"(?: de disponible| la| disponible)*$",
        r"{P}(?: svp| s il vous plait| maintenant)*$",
        r"(?:je ne veux pas|je veux pas|pas de|assez de|plus de) (?:parler a )?(?:un |une |ce "
        r"|le )?(?:bot|robot)",
    ],
    "de": [
        r"(?:ich )?(?:mochte|mochten|will|wollen|muss|wurde gerne|wurde|hatte gerne|kann|konnte|"
        r"darf)(?: ich| wir| bitte)* (?:mit )?{P}(?: bitte)? (?:sprechen|reden|chatten)",
        r"(?:ich )?(?:brauche|will|mochte|hatte gern|hatte gerne)(?: bitte)? {P}$",
        r"(?:verbinden sie mich|verbinde mich|leiten sie mich|stellen sie mich)(?: bitte)? (?:mit"
        r"|an|zu|durch zu|weiter an|weiter zu) {P}\b",
        r"(?:kann|konnen|konnten) sie mich(?: bitte)? (?:mit|an) {P}(?: bitte)? (?:verbinden|"
        r"weiterleiten|durchstellen)",
        r"mit {P} (?:sprechen|reden)$",
        r"(?:ist|gibt es) (?:da )?(?:jemand|einen menschen|einen mitarbeiter)(?: da| hier| "
        r"erreichbar)*$",
        r"{P}(?: bitte| jetzt| sofort)*$",
        r"(?:ich will keinen|kein|keinen|nicht mit dem|schluss mit dem) (?:bot|roboter|chatbot)",
    ],
    "pt": [
        r"(?:quero|queria|preciso|posso|poderia|gostaria de|desejo|prefiro)(?: falar| conversar|"
        r" ser atendido| ser atendida)(?: com| por)? {P}\b",
        r"(?:quero|queria|preciso de|prefiro) {P}$",
        r"(?:me transfira|me transfere|me passe|me passa|transfere me|me conecte|me coloque)"
        r"(?: em contato)? (?:para|com|a|ao) {P}\b",
        r"falar com {P}\b",
        r"(?:tem|ha|existe) (?:alguem|uma pessoa|um humano|um atendente)(?: ai| disponivel| "
        r"real)*$",
        r"{P}(?: por favor| agora| ja)*$",
        r"(?:nao quero|chega de|sem) (?:falar com )?(?:um |o |este |esse )?(?:bot|robo|robot)",
    ],
}

# "I'm an agent", "real estate agent", "does a human check returns?", "I don't need a person"
_NEGATIVES = re.compile(
    r"\b(?:i m|i am|im|as) (?:a |an )?(?:\w+ )?(?:agent|representative|human|person|operator|"
    r"employee|manager|rep)\b|\b(?:real estate|travel|insurance|estate|user|secret|free|"
    r"shipping|customs|booking|sales|selling|letting|leasing|double|undercover) agents?\b|"
    r"\b(?:don t|do not|dont|no need|never|not necessary|without|no) (?:need |want |have )?(?:to"
    r" )?(?:talk |speak |chat )?(?:to |with |for )?(?:a |an |the )?(?:human|person|agent|"
    r"someone|anyone|operator)\b|\b(?:does|do|did|will|would|is|are|was|can) (?:a |an |the |"
    r"your )?(?:human|person|people|agents?|staff|someone|anyone|somebody) (?!there\b|here\b|"
    r"available\b|around\b|online\b|from\b|talk\b|speak\b|chat\b)\w+|\bsoy (?:un |una )?(?:agente|asesor)\b|\bje suis "
    r"(?:un |une )?(?:agent|conseiller)\b|\bich bin (?:ein |eine )?(?:agent|berater|mitarbeiter)"
    r"\b|\bsou (?:um |uma )?(?:agente|atendente)\b|\bno (?:necesito|quiero) (?:hablar con )?"
    r"(?:una persona|un humano|un agente)\b|\bpersonne ne\b|\bne \w+ personne\b"
)

_FRUSTRATION = re.compile(
    r"\b(?:useless|stupid|idiot|idiotic|dumb|rubbish|garbage|trash|terrible|awful|horrible|"
    r"worst|ridiculous|pathetic|waste of (?:my )?time|not helpful|unhelpful|doesn t help|"
    r"not helping|no help|doesn t understand|don t understand me|makes no sense|annoying|"
    r"fed up|sick of|joke|hopeless|incompetent|wtf|fuck\w*|shit\w*|damn|crap|bs|nonsense|"
    r"inutil|estupid[oa]|idiota|no sirve|no me ayuda|no entiendes|basura|pesim[oa]|harto|"
    r"harta|inutile|nul|stupide|ca ne sert a rien|tu ne comprends pas|n importe quoi|merde|"
    r"marre|nutzlos|dumm|blod|bescheuert|hilft nicht|verstehst (?:mich )?nicht|sinnlos|mist|"
    r"scheisse|unfahig|burro|nao serve|nao ajuda|nao entende|porcaria|lixo|porra|ridicul[oa]|"
    r"absurd[oa]?|again and again|for the (?:third|fourth|last) time|i already (?:said|told|"
    r"asked)|already told you|you re not listening|ya te dije|je l ai deja dit|hab ich doch "
    r"schon|ja disse)\b"
)

_CLAUSES = re.compile(
    r"\s(?:but|and|so|because|then|pero|porque|mais|et|parce que|donc|aber|und"
    r"|weil|mas|porque|entao)\s"
)


@dataclass(frozen=True)
class Judgment:
    asks_for_person: bool
    frustrated: bool
    language: str | None
    signal: str | None = None  # why: "phrase", "request:<lang>", "frustration", "shouting"


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    # low-accuracy mode: trigram models only, loaded in ~0.2 s, a few MB; short messages
    # that it cannot place surely get every language's patterns anyway
    return (
        LanguageDetectorBuilder.from_languages(
            Language.ENGLISH,
            Language.SPANISH,
            Language.FRENCH,
            Language.GERMAN,
            Language.PORTUGUESE,
        )
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


_CODES = {"ENGLISH": "en", "SPANISH": "es", "FRENCH": "fr", "GERMAN": "de", "PORTUGUESE": "pt"}


def detect_language(text: str) -> tuple[str | None, float]:
    """The message's language among ours and lingua's confidence in it (None: no letters)."""
    if not re.search(r"[^\W\d_]", text):
        return None, 0.0
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return None, 0.0
    best = values[0]
    return _CODES.get(best.language.name), float(best.value)


@lru_cache(maxsize=8)
def _compiled(language: str) -> re.Pattern[str]:
    person = _PERSON[language]
    return re.compile(
        "^(?:" + "|".join(p.replace("{P}", person) for p in _REQUESTS[language]) + ")"
    )


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) >= 0.8


def _clauses(text: str) -> list[str]:
    """Normalised clauses: split on punctuation first, then on conjunctions."""
    out: list[str] = []
    for part in re.split(r"[.!?;,:\n]+", text):
        out.extend(c.strip() for c in _CLAUSES.split(normalise(part)) if c and c.strip())
    return out


def judge(text: str, phrases: Iterable[str] = ()) -> Judgment:
    """How a visitor message bears on handing off (pure; no I/O)."""
    if not text or len(text) > 2000:
        return Judgment(False, False, None)
    raw_clauses = [c for c in re.split(r"[.!?;,:\n]+", text) if c.strip()]
    core = normalise(text)
    language, _sure = detect_language(text)
    if not core:
        return Judgment(False, False, language)
    frustrated = bool(_FRUSTRATION.search(core)) or any(_shouting(c) for c in raw_clauses)
    frustrated = frustrated or "???" in text or "!!!" in text
    signal = _request(text, core, phrases, language)
    if signal is not None:
        return Judgment(True, frustrated, language, signal)
    return Judgment(False, frustrated, language, "frustration" if frustrated else None)


def asks_for_person(text: str, phrases: Iterable[str] = ()) -> bool:
    """``judge(text, phrases).asks_for_person`` for the inbound path, at a quarter of the cost
    or less: every language's patterns are tried whatever the language, so the yes/no needs
    neither the detection (which only orders them) nor the frustration signals."""
    if not text or len(text) > 2000:
        return False
    core = normalise(text)
    return bool(core) and _request(text, core, phrases, None) is not None


def _request(text: str, core: str, phrases: Iterable[str], language: str | None) -> str | None:
    """Why some clause asks for a person ("phrase", "request:<lang>"), or None."""
    known = phrase_set(tuple(phrases))
    # the detected language first, then English, then the rest: people mix languages, and
    # three words are hard to place (lingua's ``sure`` is low for them)
    order = [language] if language else []
    order += [lang for lang in ("en", *LANGUAGES) if lang not in order]
    for clause in _clauses(text) or [core]:
        peeled = peel_filler(clause)
        if not peeled:
            continue
        if clause in known or peeled in known:
            return "phrase"
        if _NEGATIVES.search(clause):
            continue
        for lang in order:
            if _compiled(lang).match(peeled):
                return f"request:{lang}"
    return None
