namespace AutoCkpt.Fuzz.Running;

/// <summary>The verdict on one command run on one input.</summary>
/// <param name="Case">The input's number, or -1 for a special file.</param>
/// <param name="Seed">The seed file the input was derived from, or the special file's name.</param>
/// <param name="Operators">The mutation operators applied.</param>
/// <param name="Command">plan, show, read-plan or show-written (show on the plan that plan wrote).</param>
/// <param name="Class">The verdict and its cause, e.g. "Crash: stack overflow", for counting.</param>
/// <param name="Input">The input file, kept under failures/ when the verdict is not acceptable.</param>
public sealed record CaseResult(int Case, string Seed, string Operators, string Command, Verdict Verdict, string Class, string Detail, double Seconds, string Input);
