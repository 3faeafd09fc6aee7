/* spark-agent.c — placeholder so the agent library links until issue 4 lands. */
#include "config.h"
#include <glib.h>

void spark_agent_placeholder (void);

void
spark_agent_placeholder (void)
{
}
