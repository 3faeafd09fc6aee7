#define G_LOG_DOMAIN "spark-application"
#include "config.h"
#include "spark-application.h"

struct _SparkApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (SparkApplication, spark_application, ADW_TYPE_APPLICATION)

static void
spark_application_class_init (SparkApplicationClass *klass)
{
}

static void
spark_application_init (SparkApplication *self)
{
}

SparkApplication *
spark_application_new (void)
{
  return g_object_new (SPARK_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", "/io/github/sparkcode/Spark",
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       NULL);
}
