// SPDX-License-Identifier: MIT
/*
 * firmware_map.c: sanitize the firmware's physical memory map (contract in firmware_map.h).
 *
 * Overlaps are resolved by a change-point sweep, the method of Linux's
 * e820__update_table(): every range becomes two change points, its start and
 * its end; the points are sorted by address; walking them in order while
 * counting which types are "open" gives, between two consecutive addresses,
 * the set of ranges covering that stretch, and the stretch gets the winning
 * type of that set.  Stretches covered by nothing are holes and emit nothing;
 * a stretch of the same type as the one just emitted and touching it extends
 * it, which is how touching ranges merge.  Sorting makes it O(n log n).
 *
 * Worked example, a SeaBIOS-like low map with an overlapping reserved range:
 *
 *   usable   [0x0,     0xa0000)         change points, sorted:
 *   reserved [0x9f000, 0x100000)          0x0      usable starts
 *   usable   [0x100000, 0x800000)         0x9f000  reserved starts
 *                                         0xa0000  usable ends
 *                                         0x100000 reserved ends, usable starts
 *                                         0x800000 usable ends
 *
 *   stretch              open set            winner    output
 *   0x0      - 0x9f000   {usable}            usable    usable   [0x0, 0x9f000)
 *   0x9f000  - 0xa0000   {usable, reserved}  reserved  reserved [0x9f000, 0xa0000)
 *   0xa0000  - 0x100000  {reserved}          reserved  (extends) -> [0x9f000, 0x100000)
 *   0x100000 - 0x800000  {usable}            usable    usable   [0x100000, 0x800000)
 *
 * All change points at one address are applied before the stretch after it
 * is judged, so the order among equal addresses does not matter.
 *
 * The sweep runs twice.  First over the firmware ranges alone; the usable
 * ranges of that result are shrunk to whole pages and cut at mem_limit.
 * Then over that result plus the carve ranges (widened to whole pages),
 * where an open carve replaces "usable" and nothing else: carving needs
 * usable ranges that are already page aligned, or a carve could end up
 * covering half a page, and aligning only after carving would lose the
 * pages where two usable firmware ranges touch.
 */
#include "firmware_map.h"
#include "bootinfo.h"

/*
 * Open-range counters, one per type: firmware types 1..7 use slots 1..7,
 * carve types 16..19 slots 8..11.
 */
#define TYPE_SLOTS 12u
#define CARVE_SLOT_OFFSET (MEM_LOW - 8u)

static uint32_t type_slot(uint32_t type)
{
	return type >= MEM_LOW ? type - CARVE_SLOT_OFFSET : type;
}

#define PAGE_MASK (FIRMWARE_MAP_PAGE_SIZE - 1)
/* Highest page-aligned address; ends that would round past 2^64 stop here. */
#define LAST_PAGE_ADDR (~PAGE_MASK)

static const char *const firmware_map_messages[FIRMWARE_MAP_ERR_COUNT] = {
	[FIRMWARE_MAP_OK] = "no error",
	[FIRMWARE_MAP_ERR_FULL] = "memory map capacity exceeded",
	[FIRMWARE_MAP_ERR_SCRATCH] = "scratch space too small",
	[FIRMWARE_MAP_ERR_INVERTED] = "range ends before it starts",
	[FIRMWARE_MAP_ERR_CARVE_TYPE] = "carve range type is not a carve type",
	[FIRMWARE_MAP_ERR_BAD_MAP] = "map count exceeds its capacity or storage is NULL",
};

static bool is_firmware_type(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
	case MEM_RESERVED:
	case MEM_ACPI_RECLAIM:
	case MEM_ACPI_NVS:
	case MEM_UNUSABLE:
	case MEM_PERSISTENT:
		return true;
	default:
		return false;
	}
}

bool mem_type_is_carve(uint32_t type)
{
	return type >= MEM_LOW && type <= MEM_MODULE;
}

bool mem_type_is_ram(uint32_t type)
{
	return type == MEM_USABLE || mem_type_is_carve(type) || type == MEM_ACPI_RECLAIM ||
	       type == MEM_ACPI_NVS;
}

/* RAM the kernel may use or has taken: the ranges that must be page aligned. */
static bool is_ram_type(uint32_t type)
{
	return type == MEM_USABLE || mem_type_is_carve(type);
}

const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return "usable";
	case MEM_RESERVED:
		return "reserved";
	case MEM_ACPI_RECLAIM:
		return "ACPI data";
	case MEM_ACPI_NVS:
		return "ACPI NVS";
	case MEM_UNUSABLE:
		return "unusable";
	case MEM_PERSISTENT:
		return "persistent (type 7)";
	case MEM_LOW:
		return "low memory (first MiB)";
	case MEM_KERNEL:
		return "kernel image";
	case MEM_BOOTINFO:
		return "boot info";
	case MEM_MODULE:
		return "module";
	default:
		return "unknown";
	}
}

const char *firmware_map_error_message(int code)
{
	if (code < 0 || code >= FIRMWARE_MAP_ERR_COUNT)
		return "unknown error";
	return firmware_map_messages[code];
}

static int fail(struct firmware_map_error *err, int code)
{
	if (err) {
		err->code = code;
		err->message = firmware_map_error_message(code);
	}
	return code;
}

void firmware_map_init(struct firmware_map *m, struct mem_range *storage, size_t capacity)
{
	m->ranges = storage;
	m->count = 0;
	m->capacity = storage ? capacity : 0;
}

int firmware_map_add(struct firmware_map *m, uint64_t base, uint64_t len, uint32_t type)
{
	uint64_t end;

	if (len == 0)
		return 0;
	end = base + len;
	if (end < base || end == 0)
		end = UINT64_MAX;
	if (end <= base)
		return 0;
	if (m->count >= m->capacity)
		return FIRMWARE_MAP_ERR_FULL;
	m->ranges[m->count].base = base;
	m->ranges[m->count].end = end;
	m->ranges[m->count].type = is_firmware_type(type) ? type : MEM_RESERVED;
	m->count++;
	return 0;
}

/* The e820 type of an EFI descriptor, as Linux's do_add_efi_memmap() decides. */
static uint32_t efi_to_mem_type(const struct efi_memory_descriptor *desc,
				bool boot_services_active)
{
	switch (desc->type) {
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
		if (boot_services_active)
			return MEM_RESERVED;
		/* fall through */
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return (desc->attribute & EFI_MEMORY_WB) ? MEM_USABLE : MEM_RESERVED;
	case EFI_ACPI_RECLAIM_MEMORY:
		return MEM_ACPI_RECLAIM;
	case EFI_ACPI_MEMORY_NVS:
		return MEM_ACPI_NVS;
	case EFI_UNUSABLE_MEMORY:
		return MEM_UNUSABLE;
	case EFI_PERSISTENT_MEMORY:
		return MEM_PERSISTENT;
	default:
		return MEM_RESERVED;
	}
}

int firmware_map_add_bootinfo(struct firmware_map *m, const struct boot_info *bi)
{
	struct multiboot2_mmap_entry entry;
	struct efi_memory_descriptor desc;
	int ret;

	for (size_t i = 0; bootinfo_mmap_entry(bi, i, &entry); i++) {
		ret = firmware_map_add(m, entry.base, entry.length, entry.type);
		if (ret)
			return ret;
	}
	for (size_t i = 0; bootinfo_efi_descriptor(bi, i, &desc); i++) {
		uint64_t len = desc.number_of_pages << EFI_PAGE_SHIFT;

		if (desc.number_of_pages > (UINT64_MAX >> EFI_PAGE_SHIFT))
			len = UINT64_MAX;	/* firmware_map_add clamps at 2^64 */
		ret = firmware_map_add(m, desc.physical_start, len,
				       efi_to_mem_type(&desc, bi->efi_boot_services_active));
		if (ret)
			return ret;
	}
	return 0;
}

/* Heap sort by address: O(n log n), no recursion, no extra memory. */
static void sift_down(struct firmware_map_change *c, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		struct firmware_map_change tmp;

		if (child >= n)
			return;
		if (child + 1 < n && c[child + 1].addr > c[child].addr)
			child++;
		if (c[root].addr >= c[child].addr)
			return;
		tmp = c[root];
		c[root] = c[child];
		c[child] = tmp;
		root = child;
	}
}

static void sort_changes(struct firmware_map_change *c, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(c, i, n);
	for (size_t end = n; end-- > 1;) {
		struct firmware_map_change tmp = c[0];

		c[0] = c[end];
		c[end] = tmp;
		sift_down(c, 0, end);
	}
}

static void add_change_pair(struct firmware_map_change *c, size_t *n, uint64_t base,
			    uint64_t end, uint32_t type)
{
	c[*n].addr = base;
	c[*n].type = type;
	c[*n].is_end = 0;
	c[*n + 1].addr = end;
	c[*n + 1].type = type;
	c[*n + 1].is_end = 1;
	*n += 2;
}

/*
 * The type a stretch gets from the ranges open over it: the highest firmware
 * type, except that usable RAM under an open carve takes the highest carve
 * type.  0 means a hole.
 */
static uint32_t winning_type(const size_t open[TYPE_SLOTS])
{
	uint32_t firmware = 0, carve = 0;

	for (uint32_t slot = 1; slot < TYPE_SLOTS; slot++) {
		if (!open[slot])
			continue;
		if (slot >= type_slot(MEM_LOW))
			carve = slot + CARVE_SLOT_OFFSET;
		else
			firmware = slot;
	}
	if (firmware == MEM_USABLE && carve)
		return carve;
	return firmware;
}

/*
 * Sweep @n sorted change points into @out (capacity @cap).  Return: the
 * number of ranges the result has; more than @cap means it did not fit
 * (only the first @cap were written).
 */
static size_t sweep(const struct firmware_map_change *c, size_t n, struct mem_range *out,
		    size_t cap)
{
	size_t open[TYPE_SLOTS];
	size_t count = 0;
	uint32_t last_type = 0;
	uint64_t last_end = 0;
	size_t i = 0;

	for (uint32_t slot = 0; slot < TYPE_SLOTS; slot++)
		open[slot] = 0;
	while (i < n) {
		uint64_t addr = c[i].addr;
		uint32_t type;

		for (; i < n && c[i].addr == addr; i++) {
			if (c[i].is_end)
				open[type_slot(c[i].type)]--;
			else
				open[type_slot(c[i].type)]++;
		}
		if (i == n)
			break;
		type = winning_type(open);
		if (!type)
			continue;
		if (count && last_type == type && last_end == addr) {
			if (count <= cap)
				out[count - 1].end = c[i].addr;
		} else {
			if (count < cap) {
				out[count].base = addr;
				out[count].end = c[i].addr;
				out[count].type = type;
			}
			count++;
		}
		last_type = type;
		last_end = c[i].addr;
	}
	return count;
}

/* Shrink usable ranges to whole pages below @limit (0: none), dropping empties. */
static void align_usable(struct firmware_map *m, uint64_t limit)
{
	bool limited = limit != 0;
	size_t kept = 0;

	limit &= ~PAGE_MASK;	/* a limit below one page leaves no usable RAM */
	for (size_t i = 0; i < m->count; i++) {
		struct mem_range r = m->ranges[i];

		if (r.type == MEM_USABLE) {
			if (r.base > LAST_PAGE_ADDR)
				continue;
			r.base = (r.base + PAGE_MASK) & ~PAGE_MASK;
			r.end &= ~PAGE_MASK;
			if (limited && r.end > limit)
				r.end = limit;
			if (r.base >= r.end)
				continue;
		}
		m->ranges[kept++] = r;
	}
	m->count = kept;
}

static int fail_empty(struct firmware_map *m, struct firmware_map_error *err, int code)
{
	if (m->ranges)
		m->count = 0;
	return fail(err, code);
}

static int check_input(const struct firmware_map *m, const struct mem_range *carve,
		       size_t ncarve)
{
	if ((!m->ranges && m->capacity) || m->count > m->capacity)
		return FIRMWARE_MAP_ERR_BAD_MAP;
	for (size_t i = 0; i < m->count; i++)
		if (m->ranges[i].end < m->ranges[i].base)
			return FIRMWARE_MAP_ERR_INVERTED;
	for (size_t i = 0; i < ncarve; i++) {
		if (!mem_type_is_carve(carve[i].type))
			return FIRMWARE_MAP_ERR_CARVE_TYPE;
		if (carve[i].end < carve[i].base)
			return FIRMWARE_MAP_ERR_INVERTED;
	}
	return 0;
}

/* First sweep: the firmware ranges alone. */
static int sweep_firmware(struct firmware_map *m, struct firmware_map_change *scratch,
			  size_t scratch_cap)
{
	size_t n = 0, count;

	if (m->count > scratch_cap / 2)
		return FIRMWARE_MAP_ERR_SCRATCH;
	for (size_t i = 0; i < m->count; i++) {
		const struct mem_range *r = &m->ranges[i];

		if (r->base < r->end)
			add_change_pair(scratch, &n, r->base, r->end,
					is_firmware_type(r->type) ? r->type : MEM_RESERVED);
	}
	sort_changes(scratch, n);
	count = sweep(scratch, n, m->ranges, m->capacity);
	if (count > m->capacity)
		return FIRMWARE_MAP_ERR_FULL;
	m->count = count;
	return 0;
}

/* Second sweep: the sanitized firmware ranges plus the carves, widened to pages. */
static int sweep_carves(struct firmware_map *m, struct firmware_map_change *scratch,
			size_t scratch_cap, const struct mem_range *carve, size_t ncarve)
{
	size_t n = 0, count;

	if (m->count > scratch_cap / 2 || ncarve > scratch_cap / 2 - m->count)
		return FIRMWARE_MAP_ERR_SCRATCH;
	for (size_t i = 0; i < m->count; i++)
		add_change_pair(scratch, &n, m->ranges[i].base, m->ranges[i].end,
				m->ranges[i].type);
	for (size_t i = 0; i < ncarve; i++) {
		uint64_t base = carve[i].base & ~PAGE_MASK;
		uint64_t end = carve[i].end;

		if (carve[i].base == end)
			continue;
		end = end > LAST_PAGE_ADDR ? LAST_PAGE_ADDR : (end + PAGE_MASK) & ~PAGE_MASK;
		if (base < end)
			add_change_pair(scratch, &n, base, end, carve[i].type);
	}
	sort_changes(scratch, n);
	count = sweep(scratch, n, m->ranges, m->capacity);
	if (count > m->capacity)
		return FIRMWARE_MAP_ERR_FULL;
	m->count = count;
	return 0;
}

int firmware_map_sanitize(struct firmware_map *m, struct firmware_map_change *scratch,
			  size_t scratch_cap, const struct mem_range *carve, size_t ncarve,
			  uint64_t mem_limit, struct firmware_map_error *err)
{
	int ret;

	fail(err, FIRMWARE_MAP_OK);
	if (!scratch)
		scratch_cap = 0;
	if (!carve)
		ncarve = 0;
	ret = check_input(m, carve, ncarve);
	if (ret)
		return fail_empty(m, err, ret);
	ret = sweep_firmware(m, scratch, scratch_cap);
	if (ret)
		return fail_empty(m, err, ret);
	align_usable(m, mem_limit);
	if (ncarve) {
		ret = sweep_carves(m, scratch, scratch_cap, carve, ncarve);
		if (ret)
			return fail_empty(m, err, ret);
	}
	return 0;
}

const char *firmware_map_check(const struct firmware_map *m)
{
	if (!m)
		return "map is NULL";
	if (m->count > m->capacity)
		return "count exceeds capacity";
	if (m->count && !m->ranges)
		return "ranges NULL with a non-zero count";
	for (size_t i = 0; i < m->count; i++) {
		const struct mem_range *r = &m->ranges[i];

		if (!is_firmware_type(r->type) && !mem_type_is_carve(r->type))
			return "unknown range type";
		if (r->base >= r->end)
			return "empty or inverted range";
		if (is_ram_type(r->type) && ((r->base | r->end) & PAGE_MASK))
			return "usable or carved range not page aligned";
		if (i == 0)
			continue;
		if (r[-1].base > r->base)
			return "ranges not sorted by base";
		if (r[-1].end > r->base)
			return "ranges overlap";
		if (r[-1].end == r->base && r[-1].type == r->type)
			return "touching ranges of the same type not merged";
	}
	return NULL;
}

uint64_t firmware_map_usable_bytes(const struct firmware_map *m)
{
	uint64_t total = 0;

	for (size_t i = 0; i < m->count; i++)
		if (m->ranges[i].type == MEM_USABLE)
			total += m->ranges[i].end - m->ranges[i].base;
	return total;
}

uint64_t firmware_map_top_of_ram(const struct firmware_map *m)
{
	uint64_t top = 0;

	for (size_t i = 0; i < m->count; i++)
		if (is_ram_type(m->ranges[i].type) && m->ranges[i].end > top)
			top = m->ranges[i].end;
	return top;
}
