/** How the student's errors relate to the teacher's, item by item. */
export interface ErrorAnalysis {
  /** Items the student got wrong. */
  student_errors: number;
  /** Student wrong, teacher wrong too: the student learned the teacher's mistake (or the item is hard). */
  inherited: number;
  /** Student wrong, teacher right: lost in distillation. */
  compression: number;
  /** Student right where the teacher was wrong. */
  student_only_correct: number;
  /** Ids of each class, for reading the cases. */
  ids: { inherited: string[]; compression: string[]; student_only_correct: string[] };
}

/** Classes each student error by whether the teacher also failed that item (`correct` arrays align with `ids`). */
export function classifyStudentErrors(ids: readonly string[], studentCorrect: readonly boolean[], teacherCorrect: readonly boolean[]): ErrorAnalysis {
  const analysis: ErrorAnalysis = { student_errors: 0, inherited: 0, compression: 0, student_only_correct: 0, ids: { inherited: [], compression: [], student_only_correct: [] } };
  ids.forEach((id, index) => {
    const student = studentCorrect[index] ?? false;
    const teacher = teacherCorrect[index] ?? false;
    if (!student) {
      analysis.student_errors++;
      const kind = teacher ? 'compression' : 'inherited';
      analysis[kind]++;
      analysis.ids[kind].push(id);
    } else if (!teacher) {
      analysis.student_only_correct++;
      analysis.ids.student_only_correct.push(id);
    }
  });
  return analysis;
}
