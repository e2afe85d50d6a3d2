/* app=hello: the smallest end-to-end check of boot, console and shutdown. */
#include "apps.h"

#include "../runtime/cmdline.h"
#include "../runtime/printf.h"
#include "../runtime/vcpu.h"

int app_hello_main(void)
{
	rt_printf("Hello from Dyad guest\n");
	rt_printf("hello: cmdline \"%s\"\n", rt_cmdline());
	rt_printf("hello: %u vcpus\n", rt_vcpu_count());
	return 0;
}
