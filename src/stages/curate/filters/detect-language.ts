/**
 * A cheap language guess: the dominant Unicode script decides non-Latin languages, and stopword hits
 * decide among common Latin-script ones. Returns 'und' when there is too little evidence, so
 * short answers, numbers and code are never dropped for language.
 */
const SCRIPT_LANGUAGES: ReadonlyArray<{ pattern: RegExp; language: string }> = [
  { pattern: /[\p{Script=Hiragana}\p{Script=Katakana}]/gu, language: 'ja' },
  { pattern: /\p{Script=Hangul}/gu, language: 'ko' },
  { pattern: /\p{Script=Han}/gu, language: 'zh' },
  { pattern: /\p{Script=Cyrillic}/gu, language: 'ru' },
  { pattern: /\p{Script=Greek}/gu, language: 'el' },
  { pattern: /\p{Script=Arabic}/gu, language: 'ar' },
  { pattern: /\p{Script=Hebrew}/gu, language: 'he' },
  { pattern: /\p{Script=Devanagari}/gu, language: 'hi' },
  { pattern: /\p{Script=Thai}/gu, language: 'th' },
];

const STOPWORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  en: new Set('the and of to a in is it that for was on are with as be this have not you at by but or from'.split(' ')),
  es: new Set('el la de que y en los las un una es por con para del se no lo como su al pero más'.split(' ')),
  fr: new Set('le la les de des et est un une que en du pour pas qui dans sur au avec ce il elle sont'.split(' ')),
  de: new Set('der die das und ist nicht ein eine zu den mit von für auf sich des dem ich sie es auch'.split(' ')),
  it: new Set('il lo la di che e è un una per non sono gli le del della con si questo anche come'.split(' ')),
  pt: new Set('o a os as de que e do da em um uma para com não é se por mais dos das como'.split(' ')),
  nl: new Set('de het een en van is dat niet op te zijn met voor er die maar ook als aan'.split(' ')),
};

export interface LanguageGuess {
  language: string;
  /** Letters seen; the evidence behind the guess. */
  letters: number;
}

export function detectLanguage(text: string, minimumLetters = 20): LanguageGuess {
  const letters = (text.match(/\p{L}/gu) ?? []).length;
  if (letters < minimumLetters) return { language: 'und', letters };
  let kana = 0;
  for (const { pattern, language } of SCRIPT_LANGUAGES) {
    const count = (text.match(pattern) ?? []).length;
    if (language === 'ja') kana = count;
    // Japanese mixes kana with Han; a tenth of kana is enough to call it Japanese.
    if (language === 'ja' && count > letters * 0.1) return { language, letters };
    if (language !== 'ja' && count + (language === 'zh' ? kana : 0) > letters * 0.5) return { language, letters };
  }
  const latin = (text.match(/\p{Script=Latin}/gu) ?? []).length;
  if (latin < letters * 0.5) return { language: 'und', letters };
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  let best = 'und';
  let bestHits = 0;
  for (const [language, stopwords] of Object.entries(STOPWORDS)) {
    const hits = words.filter((word) => stopwords.has(word)).length;
    if (hits > bestHits) {
      best = language;
      bestHits = hits;
    }
  }
  // Two stopwords are the least evidence worth acting on; below that it could be a list of names.
  return { language: bestHits >= 2 ? best : 'und', letters };
}
