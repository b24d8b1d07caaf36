// Goldfish RTC registers (Android emulator goldfish "GOLDFISH-VIRTUAL-HARDWARE.TXT", section
// "Goldfish real-time clock"; QEMU 7.2 hw/rtc/goldfish_rtc.c). Time is in nanoseconds.

export const RTC_TIME_LOW = 0x00; // read latches TIME_HIGH
export const RTC_TIME_HIGH = 0x04;
export const RTC_ALARM_LOW = 0x08; // write arms the alarm
export const RTC_ALARM_HIGH = 0x0c;
export const RTC_IRQ_ENABLED = 0x10;
export const RTC_CLEAR_ALARM = 0x14;
export const RTC_ALARM_STATUS = 0x18;
export const RTC_CLEAR_INTERRUPT = 0x1c;
