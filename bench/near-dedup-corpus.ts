import { createRandom } from '../src/stages/curate/near-dedup/seeded-random.js';

/**
 * JFLEG-like learner sentences (JFLEG: ~1.5k essay sentences, ~20 tokens, typical learner errors)
 * from templates over small vocabularies, with planted near-duplicate pairs: a copy of an earlier
 * sentence with one word substituted, deleted, inserted, or two neighbours swapped.
 */
const SUBJECTS = 'I|he|she|we|they|you|my friend|my brother|my sister|the teacher|our family|many people|the students|my parents|everybody|some peoples|the children|my neighbour|young people|the government|a lot of student|my classmate|the old man|our city|the doctor|my mother|my father|his wife|the company|the manager'.split('|');
const VERBS = 'go|goes|went|like|likes|want|wants|think|thinks|need|needs|make|makes|take|takes|have|has|buy|buys|see|sees|know|knows|use|uses|find|finds|give|gives|tell|tells|work|works|play|plays|study|studies|learn|learns|visit|visits|enjoy|enjoys|bring|brings|read|reads|write|writes|spend|spends|build|builds|choose|chooses|carry|carries|clean|cleans|cook|cooks|drive|drives|eat|eats|forget|forgets|help|helps|keep|keeps|leave|leaves|lose|loses|meet|meets|move|moves|open|opens|pay|pays|prefer|prefers|remember|remembers|sell|sells|send|sends|show|shows|start|starts|teach|teaches|try|tries|understand|understands|watch|watches|wear|wears|win|wins|wish|wishes|worry|worries|explain|explains|discuss|discusses|borrow|borrows|repair|repairs|paint|paints|order|orders|invite|invites'.split('|');
const DETERMINERS = 'a|an|the|some|many|much|this|that|these|those|my|his|her|our|their|every|any|no|two|three|several|few|a few|lot of|the most'.split('|');
const ADJECTIVES = 'big|small|good|bad|new|old|important|beautiful|interesting|boring|difficult|easy|expensive|cheap|famous|popular|useful|dangerous|healthy|modern|traditional|different|special|strange|happy|sad|busy|quiet|noisy|clean|dirty|comfortable|delicious|terrible|wonderful|simple|serious|strong|weak|young|friendly|honest|lazy|polite|rich|poor|safe|warm|cold|hot|huge|tiny|fresh|heavy|light|dark|bright|free|crowded|empty|narrow|wide|local|foreign|national|public|private|social|natural|digital|online|electric|green|red|blue|yellow|wooden|plastic|golden|ancient|recent|main|common|rare|perfect|excellent|awful|cheerful|curious|careful|crazy|fancy|gentle|lucky|nervous|proud|silly|smart|tired|brave|calm'.split('|');
const NOUNS = 'book|car|house|school|computer|phone|city|country|job|money|friend|family|teacher|student|problem|idea|question|answer|movie|music|song|game|food|water|coffee|tea|breakfast|dinner|lunch|restaurant|hotel|museum|park|beach|river|mountain|forest|garden|street|road|bridge|train|bus|plane|bicycle|ticket|letter|email|message|newspaper|magazine|story|history|science|language|culture|sport|football|basketball|team|match|holiday|vacation|trip|journey|weekend|birthday|party|present|gift|shirt|dress|shoes|hat|bag|window|door|table|chair|bed|room|kitchen|office|company|market|shop|supermarket|bank|hospital|doctor|medicine|health|exercise|environment|pollution|energy|technology|internet|website|television|radio|camera|picture|photo|painting|art|festival|tradition|custom|religion|society|government|law|rule|decision|opinion|experience|knowledge|skill|education|university|exam|test|homework|lesson|class|course|subject|career|salary|business|customer|product|service|price|quality|advantage|disadvantage|reason|result|effect|cause|solution|situation|condition|environment|nature|animal|dog|cat|bird|fish|horse|tree|flower|plant|vegetable|fruit|apple|bread|rice|meat|chicken|cheese|cake|chocolate|soup|salad|village|island|lake|sea|ocean|desert|sky|weather|rain|snow|wind|sun|moon|star|planet|machine|robot|engine|tool|key|clock|watch|map|guide|plan|project|report|meeting|conference|interview|speech|advice|information|news|event|accident|mistake|success|failure|dream|goal|hope|fear|love|life|death|childhood|memory|future|past|present|moment|minute|hour|day|week|month|year|century|generation|community|neighbourhood|population|tourist|foreigner|stranger|guest|visitor|passenger|driver|worker|farmer|engineer|artist|writer|singer|actor|player|leader|president|king|queen|hero|enemy|partner|colleague|boss'.split('|');
const PLACES = 'in the park|at school|at home|in the city|in my country|at the office|in the morning|on the street|in the kitchen|at the beach|in the library|at the station|in the village|on the internet|at the market|in the hospital|at the university|in the garden|at work|in the restaurant|on the bus|in the mountains|near the river|in the shop|at the party|in the classroom|at the airport|in the museum|on the farm|in the hotel'.split('|');
const TIMES = 'yesterday|today|every day|last week|next year|in the future|nowadays|at the weekend|last summer|every morning|two years ago|recently|sometimes|always|never|often|usually|in the past|this year|last night|every evening|on sunday|in winter|during the holiday|after the class|before dinner|since childhood|these days|once a week|at night'.split('|');
const CONNECTORS = 'because|so|but|and|although|when|if|while|since|even though|and then|so that|however|therefore|because of that'.split('|');
const ADVERBS = 'really|very|quickly|slowly|always|never|also|still|already|often|hardly|easily|carefully|suddenly|finally|probably|actually|especially|usually|simply'.split('|');

type Slot = readonly string[];
const TEMPLATES: ReadonlyArray<ReadonlyArray<Slot | string>> = [
  [SUBJECTS, VERBS, DETERMINERS, ADJECTIVES, NOUNS, PLACES, TIMES, CONNECTORS, SUBJECTS, VERBS, DETERMINERS, NOUNS, '.'],
  [TIMES, SUBJECTS, ADVERBS, VERBS, 'to', VERBS, DETERMINERS, NOUNS, PLACES, CONNECTORS, 'it', 'is', ADJECTIVES, '.'],
  ['in', 'my', 'opinion', SUBJECTS, 'should', VERBS, DETERMINERS, ADJECTIVES, NOUNS, CONNECTORS, DETERMINERS, NOUNS, 'is', ADVERBS, ADJECTIVES, 'for', NOUNS, '.'],
  ['i', 'think', 'that', DETERMINERS, NOUNS, VERBS, ADJECTIVES, NOUNS, 'and', DETERMINERS, ADJECTIVES, NOUNS, PLACES, TIMES, '.'],
  [SUBJECTS, 'do', "n't", VERBS, DETERMINERS, NOUNS, CONNECTORS, SUBJECTS, VERBS, ADVERBS, ADJECTIVES, 'about', 'the', NOUNS, PLACES, '.'],
  ['one', 'of', 'the', ADJECTIVES, NOUNS, 'is', 'that', SUBJECTS, VERBS, DETERMINERS, NOUNS, 'with', DETERMINERS, ADJECTIVES, NOUNS, TIMES, '.'],
];
const ALL_WORDS = [...new Set([...NOUNS, ...ADJECTIVES, ...VERBS, ...ADVERBS])];

export interface PlantedCorpus {
  sentences: string[];
  /** [earlier, later] indices of each planted near-duplicate pair. */
  pairs: Array<[number, number]>;
}

export function generateCorpus(count: number, options: { plantedShare?: number; seed?: number } = {}): PlantedCorpus {
  const random = createRandom(options.seed ?? 2024);
  const pick = <Item>(items: readonly Item[]): Item => items[Math.floor(random() * items.length)]!;
  const planted = Math.floor(count * (options.plantedShare ?? 0.05));
  const base = count - planted;
  const sentences: string[] = [];
  for (let index = 0; index < base; index++) {
    let sentence = '';
    for (const slot of pick(TEMPLATES)) sentence += (sentence === '' ? '' : ' ') + (typeof slot === 'string' ? slot : pick(slot));
    sentences.push(sentence);
  }
  // Distinct originals, so every planted pair is a cluster of exactly two.
  const originals = new Set<number>();
  while (originals.size < planted) originals.add(Math.floor(random() * base));
  const pairs: Array<[number, number]> = [];
  for (const original of originals) {
    const copy = sentences[original]!.split(' ');
    const position = Math.floor(random() * (copy.length - 1));
    const edit = Math.floor(random() * 4);
    if (edit === 0) copy[position] = pick(ALL_WORDS);
    else if (edit === 1) copy.splice(position, 1);
    else if (edit === 2) copy.splice(position, 0, pick(ALL_WORDS));
    else [copy[position], copy[position + 1]] = [copy[position + 1]!, copy[position]!];
    pairs.push([original, sentences.length]);
    sentences.push(copy.join(' '));
  }
  // Shuffle so copies are spread through the file, then renumber the pairs.
  const order = Array.from(sentences.keys());
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  const position = new Int32Array(order.length);
  order.forEach((original, newIndex) => (position[original] = newIndex));
  return {
    sentences: order.map((original) => capitalize(sentences[original]!)),
    pairs: pairs.map(([left, right]) => {
      const [first, second] = [position[left]!, position[right]!];
      return first < second ? [first, second] : [second, first];
    }),
  };
}

function capitalize(sentence: string): string {
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
