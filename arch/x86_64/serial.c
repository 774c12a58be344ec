// SPDX-License-Identifier: MIT
/*
 * 16550 UART driver for COM1: console output, and input by interrupt
 * (IRQ 4) for the monitor.
 *
 * Many modern PCs have no COM1: reads of its ports return 0xFF.  The port
 * is trusted only after its scratch register keeps a value and a byte sent
 * in loopback mode comes back.  Transmit waits are bounded, so a UART that
 * stops answering slows output down but never hangs the kernel.
 */
#include <stdint.h>

#include <asm/io.h>
#include <console.h>
#include <irq.h>
#include <printk.h>
#include <serial.h>

#define COM1 0x3f8

/* Register offsets from the base port. */
#define UART_DATA 0        /* DLAB=0: transmit/receive; DLAB=1: divisor low */
#define UART_IER 1         /* DLAB=0: interrupt enable; DLAB=1: divisor high */
#define UART_IIR 2         /* read: interrupt identification */
#define UART_FCR 2         /* FIFO control */
#define UART_LCR 3         /* line control; bit 7 = DLAB */
#define UART_MCR 4         /* modem control; bit 4 = loopback */
#define UART_LSR 5         /* line status; bit 5 = transmit holding empty */
#define UART_SCRATCH 7

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define MCR_DTR_RTS_OUT2 0x0b
#define MCR_LOOPBACK 0x10
#define LSR_DATA_READY 0x01
#define LSR_TX_EMPTY 0x20
#define TX_WAIT_LIMIT 100000
#define IER_RECEIVED_DATA 0x01
#define RX_BURST_LIMIT 256  /* bytes taken per interrupt (the FIFO holds 16) */

static bool com1_present;
static void (*deliver)(uint8_t byte);

static bool uart_answers(uint16_t base)
{
	bool ok;

	outb(base + UART_SCRATCH, 0x5a);
	if (inb(base + UART_SCRATCH) != 0x5a)
		return false;
	outb(base + UART_SCRATCH, 0xa5);
	if (inb(base + UART_SCRATCH) != 0xa5)
		return false;

	outb(base + UART_MCR, MCR_LOOPBACK | MCR_DTR_RTS_OUT2);
	outb(base + UART_DATA, 0xae);
	ok = false;
	for (int i = 0; i < TX_WAIT_LIMIT && !ok; i++)
		ok = inb(base + UART_LSR) & LSR_DATA_READY;
	ok = ok && inb(base + UART_DATA) == 0xae;
	outb(base + UART_MCR, MCR_DTR_RTS_OUT2);
	return ok;
}

static void uart_put(uint16_t base, char c)
{
	for (int i = 0; i < TX_WAIT_LIMIT; i++)
		if (inb(base + UART_LSR) & LSR_TX_EMPTY)
			break;
	outb(base + UART_DATA, (uint8_t)c);
}

static void serial_write(struct console *console, const char *text, size_t length)
{
	(void)console;
	for (size_t i = 0; i < length; i++) {
		if (text[i] == '\n')
			uart_put(COM1, '\r');
		uart_put(COM1, text[i]);
	}
}

static struct console serial_console = {
	.name = "ttyS0",
	.write = serial_write,
};

bool serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, 1);          /* divisor 1: 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7);        /* enable and clear FIFOs */
	if (!uart_answers(COM1))
		return false;
	com1_present = true;
	console_register(&serial_console);
	return true;
}

static irqreturn_t serial_interrupt(int irq, void *dev)
{
	bool any = false;

	(void)inb(COM1 + UART_IIR);
	for (int i = 0; i < RX_BURST_LIMIT && (inb(COM1 + UART_LSR) & LSR_DATA_READY); i++) {
		deliver(inb(COM1 + UART_DATA));
		any = true;
	}
	/*
	 * The I/O APIC takes IRQ 4 on its rising edge: a handler that leaves
	 * data behind would never be called again.  Past the bound, switching
	 * the receive interrupt off and on makes the UART raise a new edge.
	 */
	if (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		outb(COM1 + UART_IER, 0);
		outb(COM1 + UART_IER, IER_RECEIVED_DATA);
	}
	return any ? IRQ_HANDLED : IRQ_NONE;
}

bool serial_input_init(void (*receive)(uint8_t byte))
{
	int error;

	if (!com1_present)
		return false;
	deliver = receive;
	error = request_irq(4, serial_interrupt, 0, "ttyS0", &com1_present);
	if (error) {
		pr_warn("serial: IRQ 4 unavailable (%d); no serial input\n", error);
		return false;
	}
	for (int i = 0; i < RX_BURST_LIMIT && (inb(COM1 + UART_LSR) & LSR_DATA_READY); i++)
		(void)inb(COM1 + UART_DATA);
	outb(COM1 + UART_IER, IER_RECEIVED_DATA);
	return true;
}

void serial_input_poll(void)
{
	if (deliver && (inb(COM1 + UART_LSR) & LSR_DATA_READY))
		serial_interrupt(4, &com1_present);
}

void serial_input_stop(void)
{
	if (!deliver)
		return;
	outb(COM1 + UART_IER, 0);
	free_irq(4, &com1_present);
	deliver = NULL;
}
