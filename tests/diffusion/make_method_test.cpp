// make_method: choices map to the right method and settings; samplers that do not fit fail by name;
#include <gtest/gtest.h>

#include "retrain/loop/config.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/diffusion/make_method.hpp"

namespace retrain {
namespace {

// The UsageError message of make_method(o), or "" when it succeeds.
std::string error_of(const MethodOptions& o) {
  try {
    make_method(o);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(MakeMethod, BuildsEachMethodWithItsSamplerAndSteps) {
  MethodOptions o;
  o.type = MethodType::ddpm;
  o.sampler = SamplerChoice::ddim;
  o.steps = 25;
  auto ddpm = std::dynamic_pointer_cast<DdpmMethod>(make_method(o));
  ASSERT_TRUE(ddpm);
  EXPECT_EQ(ddpm->options().sampler, DdpmSampler::ddim);
  EXPECT_EQ(ddpm->options().ddim_steps, 25);

  o = {};
  o.type = MethodType::edm;
  o.sampler = SamplerChoice::euler;
  o.steps = 30;
  o.edm.sigma_data = 1.0;
  auto edm = std::dynamic_pointer_cast<EdmMethod>(make_method(o));
  ASSERT_TRUE(edm);
  EXPECT_EQ(edm->options().sampler, EdmSampler::euler);
  EXPECT_EQ(edm->options().num_steps, 30);
  EXPECT_EQ(edm->options().sigma_data, 1.0);

  o = {};
  o.type = MethodType::cfm;
  o.sampler = SamplerChoice::heun;
  o.cfm.coupling = FlowCoupling::minibatch_ot;
  auto cfm = std::dynamic_pointer_cast<FlowMatchingMethod>(make_method(o));
  ASSERT_TRUE(cfm);
  EXPECT_EQ(cfm->options().sampler, FlowSampler::heun);
  EXPECT_EQ(cfm->options().coupling, FlowCoupling::minibatch_ot);
  EXPECT_EQ(cfm->options().num_steps, FlowMatchingOptions{}.num_steps);
}

TEST(MakeMethod, DdpmVarianceComesFromItsOptions) {
  MethodOptions o;
  o.type = MethodType::ddpm;
  o.ddpm.variance = DdpmVariance::fixed_small;
  auto ddpm = std::dynamic_pointer_cast<DdpmMethod>(make_method(o));
  ASSERT_TRUE(ddpm);
  EXPECT_EQ(ddpm->options().variance, DdpmVariance::fixed_small);
}

TEST(MakeMethod, ASamplerOfAnotherMethodIsRefusedByName) {
  MethodOptions o;
  o.type = MethodType::edm;
  o.sampler = SamplerChoice::ddim;
  EXPECT_EQ(error_of(o), "sampler 'ddim' does not fit method 'edm' (it takes euler or heun)");
  o.type = MethodType::ddpm;
  o.sampler = SamplerChoice::heun;
  EXPECT_EQ(error_of(o), "sampler 'heun' does not fit method 'ddpm' (it takes ancestral or ddim)");
}

TEST(MakeMethod, RejectsSettingsThatDoNotApply) {
  MethodOptions o;
  o.type = MethodType::ddpm;
  o.steps = 100;  // ancestral sampling always takes all T steps
  EXPECT_NE(error_of(o).find("ddim"), std::string::npos);
  o = {};
  o.steps = -1;
  EXPECT_NE(error_of(o).find("-1"), std::string::npos);
}

// Unknown names are refused when the config loads, naming the key and the allowed names.
TEST(MakeMethod, UnknownNamesAreRefusedByTheConfigWithTheAllowedOnes) {
  const auto error = [](const std::string& yaml) {
    try {
      load_config_text(yaml, "exp.yaml");
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  EXPECT_NE(error("method: {type: vdm}").find("ddpm, edm, cfm"), std::string::npos);
  EXPECT_NE(error("method: {sampler: dpm2}").find("default, ancestral, ddim, euler, heun"), std::string::npos);
  EXPECT_NE(error("method: {cfm: {coupling: sinkhorn}}").find("independent, minibatch_ot"), std::string::npos);
  EXPECT_NE(error("method: {type: vdm}").find("method.type"), std::string::npos);
}

}  // namespace
}  // namespace retrain
