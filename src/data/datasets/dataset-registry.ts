/**
 * The evaluation sets Distillery knows by name. Each split is parallel text files (line i of every file is
 * item i): the inputs and one file per reference. Files are pinned by SHA-256 and fetched from the set's
 * official source at a fixed commit, so a name always means the same bytes.
 */
export interface DatasetFile {
  /** File name under `<data root>/<set>/`, as the official release names it. */
  name: string;
  /** Path in the official source, appended to `source`. */
  remote: string;
  sha256: string;
}

export interface DatasetSplit {
  inputs: DatasetFile;
  references: DatasetFile[];
}

export interface DatasetDefinition {
  name: string;
  title: string;
  licence: string;
  licenceUrl: string;
  citation: string;
  /** Base URL of the raw files at the pinned commit. */
  source: string;
  splits: Record<string, DatasetSplit>;
}

const JFLEG_COMMIT = 'ee06ff806a208aba815ac45313f4e750a48330a5';

function jflegSplit(split: 'dev' | 'test', inputs: string, references: string[]): DatasetSplit {
  const file = (name: string, sha256: string): DatasetFile => ({ name, remote: `${split}/${name}`, sha256 });
  return { inputs: file(`${split}.src`, inputs), references: references.map((sha256, index) => file(`${split}.ref${index}`, sha256)) };
}

export const DATASETS: Record<string, DatasetDefinition> = {
  jfleg: {
    name: 'jfleg',
    title: 'JFLEG (JHU FLuency-Extended GUG), grammatical error correction',
    licence: 'CC BY-NC-SA 4.0 (non-commercial, share-alike)',
    licenceUrl: 'https://creativecommons.org/licenses/by-nc-sa/4.0/',
    citation: 'Napoles, Sakaguchi and Tetreault (2017), JFLEG: A Fluency Corpus and Benchmark for Grammatical Error Correction, EACL',
    source: `https://raw.githubusercontent.com/keisks/jfleg/${JFLEG_COMMIT}/`,
    splits: {
      dev: jflegSplit('dev', '4a0e8b86d18a1058460ff0a592dac1ba68986d135256efbd27e997ac43f295f8', [
        'adea6287c6e2240b7777e63cd56f8e228e742bbfb42c5152bc0bd2bc91f4e53e',
        'd40d56ec7468ddab03fdcca97065ab3f9d391d749dbc7097b7c777a19ce4242e',
        'b070691d633e0c4143d96ba21299ae71cb126086517d2970df47420842067793',
        '9187fd834693fa77d07957991282d32d61ff84a207c25cbfab318c871bacdbc4',
      ]),
      test: jflegSplit('test', '893db119162487aa7f956b65978453576919e6797cd6c1955f93b7a8b9f4bbd8', [
        '875953280a3ea1dea2827337b1778c0105f0c0aa79f2517a6e0e42db5e5e170c',
        '190d3398f2765f54a39b5489d1e96c483412a656086c731f8712ad0591087d80',
        '0e3c6abe934ccd16c9dffb2fd889d6f55afc3ad13a63c1e148c720bb4e99046b',
        '19f49de6eff813b26505ecf756c20dc301aeb80696696b01ca950298f6e58441',
      ]),
    },
  },
};
