import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { readSlowestFiles } from "./slowest-files.js";

/**
 * The integration files that take longest, slowest first, as measured (`test/slowest-files.json`, checked by
 * `test/unit/slowest-files.test.ts`; docs/decisions.md, "Test time"). Vitest runs the longest files first when
 * it has every file's timing from an earlier run; a fresh clone (CI's first run) has none, and Vitest then runs
 * the largest files first, which started the slowest files last while the other workers sat idle.
 */
export const SLOWEST_FILES = readSlowestFiles().files.map(([file]) => file);

/**
 * Vitest's order (projects in turn, each project's files longest first by their last timings), except in a
 * project where some file has no timing yet: there the files of `SLOWEST_FILES` go first, in its order; and
 * within a group of projects, the projects that give each file a process of its own go first.
 */
export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const fileOf = (spec: TestSpecification) => relative(this.ctx.config.root, spec.moduleId);
    const timed = (spec: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${spec.project.name}:${fileOf(spec)}`) !== undefined;
    const rank = (spec: TestSpecification) => {
      const index = SLOWEST_FILES.indexOf(fileOf(spec));
      return index === -1 ? SLOWEST_FILES.length : index;
    };
    // The base order keeps each project's files together: reorder within one project's files only.
    const result: TestSpecification[] = [];
    for (let start = 0; start < sorted.length; ) {
      let end = start;
      while (end < sorted.length && sorted[end]?.project === sorted[start]?.project) end++;
      const project = sorted.slice(start, end);
      if (project.every(timed)) result.push(...project);
      else
        result.push(
          ...project
            .map((spec, index) => ({ spec, index, rank: rank(spec) }))
            .sort((a, b) => a.rank - b.rank || a.index - b.index)
            .map(({ spec }) => spec),
        );
      start = end;
    }
    // In a group that several projects share, the files that get a process of their own go first: each such
    // process starts (and imports the app) beside the shared files, instead of alone at the end of the run.
    const groupOf = (spec: TestSpecification) => spec.project.config.sequence.groupOrder;
    const shared = (spec: TestSpecification) => (spec.project.config.isolate ? 0 : 1);
    return result
      .map((spec, index) => ({ spec, index }))
      .sort(
        (a, b) => groupOf(a.spec) - groupOf(b.spec) || shared(a.spec) - shared(b.spec) || a.index - b.index,
      )
      .map(({ spec }) => spec);
  }
}
