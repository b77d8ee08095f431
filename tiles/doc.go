// Package tiles owns tile geometry, the exact resident set of memory-mapped tiles and the
// process-wide memory budget that every large buffer of a run draws from.
//
//   - Budget: one byte budget per process (NewBudget(ParseSize("48GB"))): Acquire blocks until
//     bytes are free, TryAcquire does not, Release gives them back; InUse, Peak, Limit. Memory
//     cached by a ResidentSet drawing from the budget is given back on demand.
//   - ResidentSet: file regions mapped MAP_SHARED through Pin, in exact LRU order, with byte
//     accounting (never more than its cap mapped), pin counts and dirty flags; eviction starts
//     write-back of dirty regions, drops their pages with MADV_DONTNEED and unmaps them. A
//     pinned region stays valid until Unpin.
//   - Grid, Rect and Layout: tiles of a plane, clipped edge tiles, and the byte offset of every
//     tile of every channel in a data file (DataOffset + c*PlaneStride + t*SlotBytes).
//   - ParseSize / FormatSize: "48GB" (10^9) and "1.5GiB" (2^30) exactly as written.
//
// Linux only (mmap, madvise, sync_file_range).
package tiles
