// Package digest holds the rules of the weekly engagement digest and the
// community-to-CLV lift report: the weeks they are about, and the
// statistics they state. It is pure Go with no I/O.
//
//   - Week is an ISO 8601 week (Monday to Monday) read in the community's
//     time zone: ParseWeek reads "2026-W49", WeekOf finds the week of a
//     moment, Start and End bound it (a week with a daylight-saving change
//     is an hour shorter or longer), Last lists the weeks a chart shows.
//   - Figure is one number of a section: this week's, the week before's
//     and the four weeks' average, with the changes against both.
//   - MeanDifference and PairedChange estimate a difference of means with
//     a percentile bootstrap 95% confidence interval (Interval), seeded so
//     that the same data give the same interval.
package digest
